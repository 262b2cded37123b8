use super::*;

fn fill(n: usize) -> RowStore {
    let mut s = RowStore::new();
    for i in 0..n {
        let status = [VALID, WARNING, REJECTED][i % 3];
        s.push(
            status,
            &format!("{{\"record\":{i}}}"),
            &format!("[\"raw {i}\"]"),
        );
    }
    s
}

#[test]
fn rows_come_back_across_sealed_and_open_blocks() {
    let n = BLOCK_ROWS * 3 + 17;
    let mut s = fill(n);
    assert_eq!(s.len(), n);
    for i in [0, 1, BLOCK_ROWS - 1, BLOCK_ROWS, 2 * BLOCK_ROWS + 5, n - 1] {
        let got = s.get(i).expect("stored row");
        assert_eq!(got.row, format!("{{\"record\":{i}}}"));
        assert_eq!(got.raw, format!("[\"raw {i}\"]"));
    }
    assert_eq!(s.get(n), None);
    let range = s.range(BLOCK_ROWS - 2, BLOCK_ROWS + 2);
    assert_eq!(range.len(), 4);
    assert_eq!(range[2].row, format!("{{\"record\":{BLOCK_ROWS}}}"));
    assert_eq!(s.range(n - 1, n + 50).len(), 1);
}

#[test]
fn filters_count_and_page_in_file_order() {
    let mut s = fill(BLOCK_ROWS + 10);
    let total = BLOCK_ROWS + 10;
    assert_eq!(s.count(Filter::All), total);
    let rejected = (0..total).filter(|i| i % 3 == 2).count();
    assert_eq!(s.count(Filter::Rejected), rejected);
    assert_eq!(s.count(Filter::Issues), total - total.div_ceil(3));
    let page = s.page(Filter::Rejected, 1, 3);
    let records: Vec<&str> = page.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(
        records,
        ["{\"record\":5}", "{\"record\":8}", "{\"record\":11}"]
    );
    // A push after a view was built is seen by the next count.
    s.push(REJECTED, "{}", "[]");
    assert_eq!(s.count(Filter::Rejected), rejected + 1);
}

#[test]
fn a_million_rows_stay_small() {
    // Realistic rows compress well: the store must hold far less than the text it was given.
    let mut s = RowStore::new();
    let mut given = 0;
    for i in 0..50_000 {
        let row = format!(
            "{{\"record\":{i},\"line\":{},\"status\":\"valid\",\"lead\":{{\"email\":\"person{i}@example.com\",\"phone_1\":\"+1202555{:04}\",\"state\":\"TX\"}}}}",
            i + 2,
            i % 10_000
        );
        let raw = format!(
            "[\"person{i}@example.com\",\"(202) 555-{:04}\",\"Texas\"]",
            i % 10_000
        );
        given += row.len() + raw.len();
        s.push(VALID, &row, &raw);
    }
    assert!(s.memory() * 4 < given, "{} of {given}", s.memory());
}

#[test]
fn unknown_filter_names_show_everything() {
    assert_eq!(Filter::parse("rejected"), Filter::Rejected);
    assert_eq!(Filter::parse("nonsense"), Filter::All);
}

#[test]
fn rows_filter_by_the_class_a_comparison_gave_them() {
    let mut s = fill(BLOCK_ROWS + 10);
    assert_eq!(s.count(Filter::parse("class:differs")), 0);
    s.set_class(3, Class::Differs);
    s.set_class(BLOCK_ROWS + 2, Class::Differs);
    s.set_class(4, Class::Matched);
    s.set_class(BLOCK_ROWS + 10, Class::Matched); // past the rows: ignored
    assert_eq!(s.count(Filter::parse("class:differs")), 2);
    assert_eq!(s.count(Filter::parse("class:matched")), 1);
    let page = s.page(Filter::Class(Class::Differs), 0, 10);
    let records: Vec<&str> = page.iter().map(|r| r.row.as_str()).collect();
    assert_eq!(
        records,
        [
            "{\"record\":3}",
            format!("{{\"record\":{}}}", BLOCK_ROWS + 2).as_str()
        ]
    );
    // A row classed again moves; a new comparison starts from nothing.
    s.set_class(3, Class::Matched);
    assert_eq!(s.count(Filter::parse("class:matched")), 2);
    s.clear_classes();
    assert_eq!(s.count(Filter::parse("class:matched")), 0);
    assert_eq!(Filter::parse("class:nonsense"), Filter::All);
}
