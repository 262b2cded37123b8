use proptest::prelude::*;

use super::*;

/// `encoding_rs` (a dev-dependency only) is the reference: the Encoding Standard's decoders.
fn reference(charset: Charset, bytes: &[u8]) -> (String, bool) {
    let enc = encoding_rs::Encoding::for_label(charset.name().as_bytes()).expect("label");
    let (text, replaced) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), replaced)
}

/// Decodes `bytes` cut into pieces at `cuts`, as the validator does: a piece that is text as
/// it stands ([`Decoder::as_text`]) is taken without decoding.
fn chunked(charset: Charset, bytes: &[u8], cuts: &[usize]) -> (String, bool) {
    let mut d = charset.decoder();
    let mut out = String::new();
    let mut replaced = false;
    let mut start = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let piece = |d: &mut Decoder, piece: &[u8], out: &mut String, last: bool| match d.as_text(piece)
    {
        Some(text) => {
            out.push_str(text);
            false
        }
        None => d.decode_to_string(piece, out, last),
    };
    for c in cuts {
        replaced |= piece(&mut d, &bytes[start..c.max(start)], &mut out, false);
        start = c.max(start);
    }
    replaced |= piece(&mut d, &bytes[start..], &mut out, true);
    (out, replaced)
}

/// The encodings the Encoding Standard (and so `encoding_rs`) has.
const ALL: [Charset; 6] = [
    Charset::Utf8,
    Charset::Utf16Le,
    Charset::Utf16Be,
    Charset::Windows1252,
    Charset::MacRoman,
    Charset::Iso8859_15,
];

/// Bytes that exercise every path: ASCII, multi-byte UTF-8 (whole and broken), surrogates.
fn interesting() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            "[a-z,\"\\n]{0,4}".prop_map(String::into_bytes),
            "[é€😀ß中]{1,2}".prop_map(String::into_bytes),
            Just(vec![0xD8, 0x3D]),
            Just(vec![0xDE, 0x00]),
            Just(vec![0x3D, 0xD8]),
            Just(vec![0x00, 0xDE]),
            Just(vec![0xF0, 0x9F]),
            Just(vec![0xE2, 0x82]),
            Just(vec![0xED, 0xA0, 0x80]),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn every_charset_decodes_as_the_encoding_standard_in_any_chunking(
        bytes in interesting(),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        for charset in ALL {
            let expected = reference(charset, &bytes);
            prop_assert_eq!(&charset.decode(&bytes), &expected, "{:?} whole", charset);
            prop_assert_eq!(&chunked(charset, &bytes, &cuts), &expected, "{:?} cut at {:?}", charset, cuts);
        }
    }
}

#[test]
fn every_byte_of_windows_1252_is_the_standards() {
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(
        Charset::Windows1252.decode(&bytes),
        reference(Charset::Windows1252, &bytes)
    );
}

#[test]
fn every_byte_of_the_other_single_byte_encodings_is_the_standards() {
    let bytes: Vec<u8> = (0..=255).collect();
    for charset in [Charset::MacRoman, Charset::Iso8859_15] {
        assert_eq!(
            charset.decode(&bytes),
            reference(charset, &bytes),
            "{charset:?}"
        );
    }
}

/// Code page 437 is not in the Standard: its letters are checked against IBM's table.
#[test]
fn code_page_437_reads_its_letters() {
    let (text, replaced) = Charset::Cp437.decode(b"M\x81ller, Fran\x87ois, Jos\x82, Pe\xA4a, \xE1");
    assert_eq!(
        (text.as_str(), replaced),
        ("Müller, François, José, Peña, ß", false)
    );
    // Every byte decodes to one character, none a replacement.
    let all: Vec<u8> = (0..=255).collect();
    let (text, replaced) = Charset::Cp437.decode(&all);
    assert_eq!((text.chars().count(), replaced), (256, false));
    assert!(!text.contains('\u{FFFD}'));
}

#[test]
fn labels_are_the_standards_for_these_four_and_nothing_else() {
    for (label, charset) in LABELS {
        if *charset == Charset::Cp437 {
            continue;
        }
        let reference = encoding_rs::Encoding::for_label(label.as_bytes()).expect("label");
        assert_eq!(reference.name(), charset.name(), "{label}");
    }
    assert_eq!(Charset::for_label(" Latin1 "), Some(Charset::Windows1252));
    assert_eq!(Charset::for_label("UTF8"), Some(Charset::Utf8));
    assert_eq!(Charset::for_label("shift_jis"), None);
    assert_eq!(Charset::for_label("IBM437"), Some(Charset::Cp437));
    assert_eq!(Charset::for_label("x-mac-roman"), Some(Charset::MacRoman));
    assert_eq!(Charset::for_label(""), None);
}

#[test]
fn a_stream_ending_inside_a_character_ends_with_one_replacement() {
    let (text, replaced) = chunked(
        Charset::Utf8,
        "a€".as_bytes().split_last().expect("x").1,
        &[2],
    );
    assert_eq!((text.as_str(), replaced), ("a\u{FFFD}", true));
    let (text, replaced) = chunked(Charset::Utf16Le, &[0x3D, 0xD8, 0x41], &[1, 2]);
    assert_eq!((text.as_str(), replaced), ("\u{FFFD}", true));
}
