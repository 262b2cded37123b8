//! The set of lead keys seen so far in a file, in 12 bytes a key.
//!
//! Memory must not grow with the file beyond this: a key is kept as a 64-bit hash with the
//! line it was last seen on, in open addressing with linear probing. At a million distinct
//! keys this is 24 MiB (plus the old table while growing), against about 50 MiB for a
//! `HashMap<u64, (u32, u32)>` at its resize peak.

#[derive(Debug, Default)]
pub(crate) struct SeenKeys {
    hashes: Vec<u64>,
    lines: Vec<u32>,
    len: usize,
}

impl SeenKeys {
    /// Records `hash` as seen on `line`; returns the line it was seen on before, if any.
    pub(crate) fn insert(&mut self, hash: u64, line: u32) -> Option<u32> {
        let hash = hash.max(1); // 0 marks an empty slot
        if (self.len + 1) * 8 > self.hashes.len() * 7 {
            self.grow();
        }
        let mask = self.hashes.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            match self.hashes[i] {
                0 => {
                    self.hashes[i] = hash;
                    self.lines[i] = line;
                    self.len += 1;
                    return None;
                }
                h if h == hash => return Some(std::mem::replace(&mut self.lines[i], line)),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let cap = (self.hashes.len() * 2).max(1024);
        let old_hashes = std::mem::replace(&mut self.hashes, vec![0; cap]);
        let old_lines = std::mem::replace(&mut self.lines, vec![0; cap]);
        let mask = cap - 1;
        for (h, l) in old_hashes
            .into_iter()
            .zip(old_lines)
            .filter(|(h, _)| *h != 0)
        {
            let mut i = (h as usize) & mask;
            while self.hashes[i] != 0 {
                i = (i + 1) & mask;
            }
            self.hashes[i] = h;
            self.lines[i] = l;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SeenKeys;

    #[test]
    fn finds_what_it_holds_across_growth() {
        let mut s = SeenKeys::default();
        for k in 0..5000u64 {
            assert_eq!(
                s.insert(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), k as u32),
                None
            );
        }
        for k in 0..5000u64 {
            assert_eq!(
                s.insert(k.wrapping_mul(0x9E37_79B9_7F4A_7C15), 9),
                Some(k as u32)
            );
        }
        let mut fresh = SeenKeys::default();
        assert_eq!(fresh.insert(0, 1), None, "hash 0 is a key like any other");
        assert_eq!(fresh.insert(0, 2), Some(1));
    }
}
