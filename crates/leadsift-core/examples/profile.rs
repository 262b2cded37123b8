fn main() {
    let path = std::env::args().nth(1).expect("file");
    let bytes = std::fs::read(path).expect("read");
    let t = std::time::Instant::now();
    let (rows, s) = leadsift_core::validate_bytes(&bytes, Default::default()).expect("ok");
    eprintln!("{} rows {:?} valid {}", rows.len(), t.elapsed(), s.valid);
}
