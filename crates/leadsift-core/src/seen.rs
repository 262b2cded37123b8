//! The set of lead keys seen so far in a file, in 12 bytes a key.
//!
//! Memory must not grow with the file beyond this: a key is kept as a 64-bit hash with the
//! line it was last seen on, in open addressing with linear probing. At a million distinct
//! keys this is 24 MiB (plus the old table while growing), against about 50 MiB for a
//! `HashMap<u64, (u32, u32)>` at its resize peak.

#[derive(Debug, Default)]
pub(crate) struct SeenKeys {
    /// Each slot's hash (low half, high half) and line, side by side: a look-up reads one
    /// place in memory, where a hash and its line in two tables cost two cache misses.
    slots: Vec<[u32; 3]>,
    len: usize,
}

/// A slot's hash; 0 marks an empty slot.
#[inline]
fn hash_of(slot: &[u32; 3]) -> u64 {
    u64::from(slot[0]) | (u64::from(slot[1]) << 32)
}

/// A slot holding `hash` seen on `line`.
#[inline]
fn slot(hash: u64, line: u32) -> [u32; 3] {
    // The two halves of the hash, each cut to 32 bits on purpose.
    [hash as u32, (hash >> 32) as u32, line]
}

impl SeenKeys {
    /// Records `hash` as seen on `line`; returns the line it was seen on before, if any.
    pub(crate) fn insert(&mut self, hash: u64, line: u32) -> Option<u32> {
        let hash = hash.max(1); // 0 marks an empty slot
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let s = &mut self.slots[i];
            match hash_of(s) {
                0 => {
                    *s = slot(hash, line);
                    self.len += 1;
                    return None;
                }
                h if h == hash => return Some(std::mem::replace(&mut s[2], line)),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![[0; 3]; cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| hash_of(s) != 0) {
            let mut i = (hash_of(&s) as usize) & mask;
            while hash_of(&self.slots[i]) != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
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
        // Hashes that share a half are different keys.
        let mut halves = SeenKeys::default();
        assert_eq!(halves.insert(0x1_0000_0007, 1), None);
        assert_eq!(halves.insert(0x2_0000_0007, 2), None);
        assert_eq!(halves.insert(0x2_0000_0008, 3), None);
        assert_eq!(halves.insert(0x1_0000_0007, 4), Some(1));
        let mut fresh = SeenKeys::default();
        assert_eq!(fresh.insert(0, 1), None, "hash 0 is a key like any other");
        assert_eq!(fresh.insert(0, 2), Some(1));
    }
}
