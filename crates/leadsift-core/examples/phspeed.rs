use phonenumber::{country::Id, parse, is_valid};
fn main() {
    let mut disagree = 0; let mut valid6 = 0;
    for npa in 200..1000u32 { for nxx in 0..1000u32 {
        let v: Vec<bool> = ["0000","5555","9999","1234","0101","8642"].iter().map(|s| { let n = format!("{npa}{nxx:03}{s}"); is_valid(&parse(Some(Id::US), &n).unwrap()) }).collect();
        if v.iter().any(|x| *x != v[0]) { disagree += 1; if disagree < 10 { println!("{npa}{nxx:03}: {v:?}"); } }
        if v[0] { valid6 += 1; }
    }}
    println!("disagree {disagree}, valid prefixes {valid6}");
}
