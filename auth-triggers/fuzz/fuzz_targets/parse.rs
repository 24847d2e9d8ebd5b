//! Arbitrary bytes never panic the parser, `TriggerEvent::from_slice` agrees with the serde
//! path, whatever parses writes back the JSON it was read from, and `to_vec` writes the bytes
//! `serde_json` writes.
#![no_main]

use auth_triggers::TriggerEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = serde_json::from_slice::<TriggerEvent>(data);
    let fast = TriggerEvent::from_slice(data);
    assert_eq!(parsed.is_ok(), fast.is_ok(), "the two readers disagree");
    if let (Ok(event), Ok(fast)) = (parsed, fast) {
        assert_eq!(event, fast);
        let original: serde_json::Value = serde_json::from_slice(data).expect("valid JSON");
        let written = serde_json::to_value(&event).expect("serializes");
        assert_eq!(written, original, "round trip changed the event");
        let bytes = serde_json::to_vec(&event).expect("serializes");
        assert_eq!(event.to_vec().expect("writes"), bytes, "to_vec differs from serde_json");
        // And the written form reads back to the same event.
        let again: TriggerEvent = serde_json::from_value(written).expect("re-parses");
        assert_eq!(again, event);
    }
});
