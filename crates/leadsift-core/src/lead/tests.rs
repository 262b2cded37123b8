use std::hash::BuildHasher;

use super::*;
use crate::clean::{CleanOptions, clean};

fn lead(values: &[(Field, &str)]) -> Lead {
    let options = CleanOptions::new(leadsift_testkit::today());
    let mut lead = Lead::default();
    for (field, raw) in values {
        lead.set(*field, clean(*field, raw, &options).value);
    }
    lead
}

#[test]
fn a_lead_key_is_its_text_whether_kept_in_place_or_not() {
    // A lead id's key fits in place, a long id's and a fingerprint's do not: either way the
    // key hashes, orders, compares and is written as the text it is.
    let keys: Vec<LeadKey> = [
        lead(&[(Field::LeadId, "58d6005623c2a335d4df46f1")]),
        lead(&[(Field::EventId, "5bf6cba6e272f42b2ef003d4")]),
        lead(&[(Field::LeadId, &"7".repeat(40))]),
        lead(&[(Field::Email, "ann@example.com")]),
    ]
    .iter()
    .map(|l| LeadKey::of(l).expect("a key"))
    .collect();
    let texts = [
        "lead:58d6005623c2a335d4df46f1".to_owned(),
        "event:5bf6cba6e272f42b2ef003d4".to_owned(),
        format!("lead:{}", "7".repeat(40)),
    ];
    for (key, text) in keys.iter().zip(&texts) {
        assert_eq!(key.as_str(), text);
    }
    assert!(keys[3].as_str().starts_with("fp:") && keys[3].as_str().len() == 35);
    let hasher = std::collections::hash_map::RandomState::new();
    for a in &keys {
        assert_eq!(hasher.hash_one(a), hasher.hash_one(a.as_str()), "{a:?}");
        let json = serde_json::to_string(a).expect("written");
        assert_eq!(json, format!("{:?}", a.as_str()));
        assert_eq!(&serde_json::from_str::<LeadKey>(&json).expect("read"), a);
        for b in &keys {
            assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a:?} {b:?}");
            assert_eq!(a == b, a.as_str() == b.as_str());
        }
    }
}
