use proptest::prelude::*;

use super::{Limits, RawRecord, RecordSplitter, field_end};

/// What `field_end` must answer: the first delimiter or line end, byte by byte.
fn first_stop(delimiter: u8, bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
}

#[test]
fn a_field_ends_at_its_first_stop_wherever_it_lies_in_a_word() {
    for delimiter in [b',', b';', b'\t', b'|'] {
        for stop in [delimiter, b'\n', b'\r'] {
            for len in 0..40 {
                for at in 0..len {
                    // Bytes around the stop that a borrow between bytes could mistake for one:
                    // the stop's neighbours, 0x80 and above (UTF-8), and a second stop after.
                    let near = [stop.wrapping_add(1), stop.wrapping_sub(1), 0x80, 0xff, b'a'];
                    let filler: Vec<u8> = near
                        .into_iter()
                        .filter(|b| first_stop(delimiter, &[*b]).is_none())
                        .collect();
                    let mut bytes: Vec<u8> = (0..len).map(|i| filler[i % filler.len()]).collect();
                    bytes[at] = stop;
                    if at + 3 < len {
                        bytes[at + 3] = b'\n';
                    }
                    assert_eq!(
                        field_end(delimiter, &bytes),
                        Some(at),
                        "{delimiter} {bytes:?}"
                    );
                }
                let none: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                assert_eq!(field_end(delimiter, &none), None);
            }
        }
    }
}

proptest! {
    #[test]
    fn a_field_ends_where_a_byte_by_byte_scan_says(
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        bytes in prop::collection::vec(prop::sample::select(vec![b'a', b',', b';', b'\t', b'|', b'\n', b'\r', 0x00, 0x01, 0x7f, 0x80, 0xc3, 0xff]), 0..64),
    ) {
        prop_assert_eq!(field_end(delimiter, &bytes), first_stop(delimiter, &bytes));
    }
}

/// What the splitter made of one record: its line, kept fields, and what it flagged.
type Split = (
    u64,
    Vec<String>,
    usize,
    Option<(usize, usize)>,
    Option<usize>,
    Option<u64>,
);

/// Every record of `text` split with `limits`, the text pushed in chunks of `size` bytes (cut
/// only between characters).
fn split_in(text: &str, limits: Limits, size: usize) -> Vec<Split> {
    let mut splitter = RecordSplitter::new(b',', limits);
    let mut out = Vec::new();
    let mut keep = |r: &RawRecord| {
        out.push((
            r.line,
            r.fields().into_iter().map(str::to_owned).collect(),
            r.field_count,
            r.oversized_field,
            r.oversized_record,
            r.unterminated_quote,
        ));
    };
    let mut at = 0;
    while at < text.len() {
        let mut end = (at + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        splitter.push(&text[at..end], &mut keep);
        at = end;
    }
    splitter.finish(&mut keep);
    out
}

#[test]
fn fields_lent_from_the_chunk_keep_every_limit_as_copied_ones_do() {
    // A field whole in a chunk is lent, not copied; one split by a chunk is copied. The
    // limits must cut, flag and drop the same either way, and wherever the chunks end: the
    // whole text in one chunk (every field it can lend, lent) against chunks of one to seven
    // bytes (limits decided as if the bytes came one at a time).
    let limits = |field, columns, record| Limits {
        max_field_bytes: field,
        max_columns: columns,
        max_record_bytes: record,
        ..Limits::default()
    };
    let texts = [
        "a,bb,ccc\n",
        // Over the field limit, unquoted and quoted, cut between characters.
        "short,this field is long,x\n",
        "\"quoted and long\",y\n",
        "ééééééé,z\n",
        // More fields than the column limit: counted, the rest not kept.
        "1,2,3,4,5\n",
        ",,,,\n",
        // Over the record limit, at a field's end or inside one.
        "abcdefg,hijklmn,opqrstu,vw\n",
        "\"abcdefg\",\"hijklmn\",\"opqrstu\",\"vw\"\n",
        "abcdefgh,ijklmnopqrstuvwxyz,1\n",
        // Quotes inside, a tail after the closing quote, quoted line ends, CRLF.
        "\"a\"\"b\",\"c\"d,\"e\nf\"\r\ng,h\r\n",
        "\"unclosed,\n",
    ];
    for tight in [limits(8, 3, 20), limits(8, 9, 14), limits(3, 2, 9)] {
        for text in texts {
            let whole = split_in(text, tight, usize::MAX);
            for size in 1..8 {
                assert_eq!(
                    split_in(text, tight, size),
                    whole,
                    "{text:?} in chunks of {size}, {tight:?}"
                );
            }
        }
    }
    let wide = limits(8, 3, 100);
    let cut = split_in("short,this field is long,x\n", wide, usize::MAX);
    assert_eq!(cut[0].1, ["short", "this fie", "x"]);
    assert_eq!(
        cut[0].3,
        Some((1, 18)),
        "the first field over the limit, its size"
    );
    let cut = split_in("ééééééé,z\n", wide, usize::MAX);
    assert_eq!(cut[0].1, ["éééé", "z"], "cut between characters");
    let columns = split_in("1,2,3,4,5\n", wide, usize::MAX);
    assert_eq!((columns[0].1.len(), columns[0].2), (3, 5));
    // The record's limit crossed inside its third field: what came before it is kept.
    let record = split_in("abcdefg,hijklmn,opqrstu,vw\n", limits(8, 9, 20), usize::MAX);
    assert_eq!(record[0].1, ["abcdefg", "hijklmn", "opqrst", ""]);
    assert_eq!((record[0].3, record[0].4), (None, Some(23)));
}
