//! The largest figures jifen accepts, and the checked sums that keep every figure exact.
//!
//! Money is `i64` fen and points are `i64`; `i64::MAX` is about 9.22 × 10¹⁸. The maximums
//! below are chosen so that no realistic lifetime comes near it:
//!
//! - an order (and a refund, a line, a price, a voucher's value) is at most
//!   [`MAX_AMOUNT_FEN`] = 10¹¹ fen (¥1,000,000,000): a member would need 92 million orders of
//!   ¥1bn each before their lifetime spend left `i64`;
//! - one ledger entry moves at most [`MAX_POINTS_PER_ENTRY`] = 10¹² points: a member would need
//!   9.2 million entries of that size before a lifetime figure left `i64`, and a program
//!   that awards ¥1bn orders at the largest rate (1,000,000 points per yuan, 10¹⁵ points) has
//!   its awards cut to 10¹² per entry rather than stored.
//!
//! Figures that can still grow without bound by repetition (a member's lifetime earned, their
//! debt, a refund total, a meter, a budget's usage) are summed with checked arithmetic: a
//! decision that would take one past `i64` is refused with [`FigureOverflow`] and changes
//! nothing; nothing wraps and nothing panics.

/// The largest amount of money in one order, refund, line, price or voucher: 10¹¹ fen
/// (¥1,000,000,000).
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000;

/// The largest number of points one entry (an award, a redemption, an adjustment, a hold, a
/// reward's cost) moves: 10¹².
pub const MAX_POINTS_PER_ENTRY: i64 = 1_000_000_000_000;

/// The largest total a program may set as a bound or goal: a rule's or campaign's budget, a
/// limit's points per period, a member cap, a tier threshold, a meter's cap: 10¹⁵ (a thousand
/// of the largest entries, and still 9,000 times below `i64::MAX`).
pub const MAX_TOTAL: i64 = 1_000_000_000_000_000;

/// A sum that would leave the range of `i64`: the decision that needed it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{figure} would exceed the largest figure jifen can hold (9,223,372,036,854,775,807)")]
pub struct FigureOverflow {
    /// The figure that would overflow (`lifetime_earned`, `negative`, `refunded`…).
    pub figure: &'static str,
}

/// `a + b`, or [`FigureOverflow`] naming `figure`.
pub fn add(figure: &'static str, a: i64, b: i64) -> Result<i64, FigureOverflow> {
    a.checked_add(b).ok_or(FigureOverflow { figure })
}

/// The exact sum of `values`, or [`FigureOverflow`] naming `figure`.
pub fn sum(
    figure: &'static str,
    values: impl IntoIterator<Item = i64>,
) -> Result<i64, FigureOverflow> {
    values
        .into_iter()
        .try_fold(0i64, |acc, v| add(figure, acc, v))
}

/// A sum read in two halves (the high 32 bits and the low 32 bits of each value, summed
/// separately so that neither can overflow), put back together: the exact total, as an
/// `i128`. Databases sum this way where a total may not fit in a 64-bit integer.
pub fn from_halves(high: i64, low: i64) -> i128 {
    (i128::from(high) << 32) + i128::from(low)
}

/// `total` clamped into `i64`: for figures only ever compared with thresholds (meters, a tier
/// basis), a total beyond `i64` is above every threshold, which the largest `i64` also is.
pub fn clamp(total: i128) -> i64 {
    i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_refuse_rather_than_wrap() {
        assert_eq!(sum("x", [1, 2, 3]), Ok(6));
        assert_eq!(
            sum("lifetime_earned", [i64::MAX, 1]),
            Err(FigureOverflow {
                figure: "lifetime_earned"
            })
        );
        assert!(sum("x", [i64::MAX, 1, -1]).is_err());
        assert!(add("x", i64::MIN, -1).is_err());
    }

    #[test]
    fn halves_rebuild_the_exact_sum() {
        for v in [
            0i64,
            1,
            -1,
            -5,
            i64::MAX,
            i64::MIN,
            4_294_967_296,
            -4_294_967_297,
        ] {
            assert_eq!(from_halves(v >> 32, v & 0xFFFF_FFFF), i128::from(v));
        }
        let values = [i64::MAX, i64::MAX, -3];
        let high: i64 = values.iter().map(|v| v >> 32).sum();
        let low: i64 = values.iter().map(|v| v & 0xFFFF_FFFF).sum();
        assert_eq!(
            from_halves(high, low),
            2 * i128::from(i64::MAX) - 3,
            "the halves hold a total beyond i64"
        );
        assert_eq!(clamp(from_halves(high, low)), i64::MAX);
        assert_eq!(clamp(-3), -3);
        assert_eq!(clamp(i128::from(i64::MIN) - 1), i64::MIN);
    }
}
