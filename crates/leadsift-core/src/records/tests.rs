use proptest::prelude::*;

use super::field_end;

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
