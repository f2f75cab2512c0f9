//! NIP-44 decryption (spec §7): never panics on any payload, and whatever
//! decrypts re-encrypts, under the nonce it carried, to the same payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::cipher::{self, ConversationKey};

fuzz_target!(|data: &[u8]| {
    let Some((key, payload)) = data.split_first_chunk::<32>() else {
        return;
    };
    let Ok(payload) = std::str::from_utf8(payload) else {
        return;
    };
    let key = ConversationKey::from_bytes(*key);
    if let Ok(plaintext) = cipher::decrypt_to_bytes(&key, payload) {
        let raw = cipher::decode_payload(payload).expect("decrypted payloads decode");
        let nonce: [u8; 32] = raw[1..33].try_into().expect("decoded payloads carry a nonce");
        let again = cipher::encrypt_with_nonce(&key, &plaintext, &nonce).expect("plaintext re-encrypts");
        assert_eq!(again, payload);
    }
});
