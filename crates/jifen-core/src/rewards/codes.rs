//! Voucher codes that people can read out and type, and that cannot be guessed.
//!
//! A generated code is an optional prefix, 11 characters carrying 55 random bits, and a check
//! character (Luhn mod 32 over the whole code), all from an alphabet without the look-alikes
//! 0, O, 1 and I. The check character catches every single mistyped character and nearly every
//! swap of two neighbours (all but `2`↔`Z`, Luhn's blind spot), so a typo can be told apart
//! from an unknown code without a lookup.

/// The characters of generated codes, in the order that gives their values (0–31).
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// How many random characters a generated code has (55 bits).
pub const RANDOM_CHARS: usize = 11;

/// The value of a character of the alphabet (its position), if it is one.
fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The Luhn mod 32 sum of `chars`, where the rightmost one gets `first_factor`.
fn luhn_sum(chars: &[u8], first_factor: u32) -> Option<u32> {
    let n = ALPHABET.len() as u32;
    let mut factor = first_factor;
    let mut sum = 0;
    for c in chars.iter().rev() {
        let addend = factor * value(*c)?;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    Some(sum % n)
}

/// The check character for a code without it (`None` if a character is outside the alphabet).
pub fn check_char(body: &str) -> Option<char> {
    let n = ALPHABET.len() as u32;
    let sum = luhn_sum(body.as_bytes(), 2)?;
    Some(char::from(ALPHABET[((n - sum) % n) as usize]))
}

/// A new canonical code: `prefix` (checked with [`valid_prefix`] by the caller), 11 characters
/// from the first 55 bits of `random` (big-endian), and the check character. For example
/// `7KQ2MX9RTB4H`, or `CNY7KQ2MX9RTB4H` with the prefix `CNY`. A prefix outside the alphabet
/// gets no check character, so the code fails [`checksum_ok`].
pub fn generate(prefix: Option<&str>, random: [u8; 8]) -> String {
    let bits = u64::from_be_bytes(random) >> 9;
    let mut code = prefix.map(str::to_ascii_uppercase).unwrap_or_default();
    for i in (0..RANDOM_CHARS).rev() {
        let v = (bits >> (5 * i)) & 31;
        code.push(char::from(ALPHABET[v as usize]));
    }
    if let Some(c) = check_char(&code) {
        code.push(c);
    }
    code
}

/// Whether a canonical code's last character is its check character. False for codes shorter
/// than two characters or with a character outside the alphabet.
pub fn checksum_ok(code: &str) -> bool {
    code.len() >= 2 && luhn_sum(code.as_bytes(), 1) == Some(0)
}

/// A code as typed, made canonical: uppercase, without spaces, `-` and `_`.
pub fn canonical(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether a template's code prefix is usable: 1 to 8 characters of the alphabet.
pub fn valid_prefix(p: &str) -> bool {
    (1..=8).contains(&p.len()) && p.bytes().all(|b| value(b).is_some())
}

/// Whether an imported code (one a merchant already printed, with no check character of
/// ours) is usable: in canonical form, 4 to 32 characters of A–Z and 0–9.
pub fn valid_imported(code: &str) -> bool {
    (4..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A code for printing: groups of four separated by `-` (`7KQ2-MX9R-TB4H`).
pub fn display(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(4)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn generated_codes_have_twelve_characters_and_pass() {
        let code = generate(None, [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(code.len(), 12);
        assert!(checksum_ok(&code), "{code}");
        let prefixed = generate(
            Some("CNY"),
            [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0],
        );
        assert_eq!(prefixed.len(), 15);
        assert!(prefixed.starts_with("CNY"));
        assert_eq!(prefixed[3..14], code[..11]);
        assert!(checksum_ok(&prefixed));
        // All zero bits and all one bits.
        assert_eq!(&generate(None, [0; 8])[..11], "22222222222");
        assert_eq!(&generate(None, [0xff; 8])[..11], "ZZZZZZZZZZZ");
        // Only the first 55 bits count.
        assert_eq!(
            generate(None, [0, 0, 0, 0, 0, 0, 1, 0xff]),
            generate(None, [0; 8])
        );
        assert_ne!(
            generate(None, [0, 0, 0, 0, 0, 0, 2, 0]),
            generate(None, [0; 8])
        );
    }

    #[test]
    fn checksum_refuses_foreign_characters_and_short_codes() {
        assert!(!checksum_ok(""));
        assert!(!checksum_ok("2"));
        assert!(!checksum_ok("7KQ2MX9RTB4O"));
        assert!(!checksum_ok("7kq2mx9rtb4h"));
        assert_eq!(check_char("A0"), None);
    }

    #[test]
    fn checksum_catches_every_substitution_and_transposition_in_a_sample() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let code = generate(Some("JF"), rng.to_be_bytes());
            assert!(checksum_ok(&code));
            let bytes = code.as_bytes();
            for i in 0..bytes.len() {
                for c in ALPHABET.iter().filter(|c| **c != bytes[i]) {
                    let mut typo = bytes.to_vec();
                    typo[i] = *c;
                    assert!(!checksum_ok(std::str::from_utf8(&typo).unwrap()));
                }
            }
            for i in 0..bytes.len() - 1 {
                let (a, b) = (bytes[i], bytes[i + 1]);
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                let caught = !checksum_ok(std::str::from_utf8(&swapped).unwrap());
                // Luhn mod N cannot see a swap of the first and last characters (`2`↔`Z`).
                let blind = matches!((a, b), (b'2', b'Z') | (b'Z', b'2'));
                assert_eq!(caught, a != b && !blind, "{code} at {i}");
            }
        }
    }

    #[test]
    fn canonical_display_and_shapes() {
        assert_eq!(canonical(" 7kq2-mx9r_tb4h "), "7KQ2MX9RTB4H");
        assert_eq!(display("7KQ2MX9RTB4H"), "7KQ2-MX9R-TB4H");
        assert_eq!(display("CNY7KQ2MX9RTB4H"), "CNY7-KQ2M-X9RT-B4H");
        assert_eq!(display(""), "");
        assert_eq!(canonical(&display("CNY7KQ2MX9RTB4H")), "CNY7KQ2MX9RTB4H");
        assert!(valid_prefix("CNY"));
        assert!(valid_prefix("ABCDEFGH"));
        assert!(!valid_prefix(""));
        assert!(!valid_prefix("ABCDEFGHJ"));
        assert!(!valid_prefix("CN0"));
        assert!(!valid_prefix("cny"));
        assert!(valid_imported("SUMMER2026"));
        assert!(valid_imported("A0I1"));
        assert!(!valid_imported("AB1"));
        assert!(!valid_imported("summer2026"));
        assert!(!valid_imported("SUMMER-2026"));
        assert!(!valid_imported(&"A".repeat(33)));
    }

    proptest! {
        #[test]
        fn generated_codes_pass_and_any_single_change_fails(
            random in any::<[u8; 8]>(),
            prefix in proptest::option::of("[2-9A-HJ-NP-Z]{1,8}"),
            at in any::<prop::sample::Index>(),
            to in 0usize..32,
        ) {
            let code = generate(prefix.as_deref(), random);
            prop_assert!(checksum_ok(&code));
            prop_assert_eq!(code.len(), prefix.as_ref().map_or(0, String::len) + 12);
            prop_assert_eq!(canonical(&display(&code)), code.clone());
            let i = at.index(code.len());
            let mut typo = code.clone().into_bytes();
            prop_assume!(typo[i] != ALPHABET[to]);
            typo[i] = ALPHABET[to];
            prop_assert!(!checksum_ok(std::str::from_utf8(&typo).unwrap()));
        }
    }
}
