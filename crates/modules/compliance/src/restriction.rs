//! Transfer restrictions: the ERC-1404 codes `canTransfer` returns and enforcement refuses with.
//!
//! A refused movement fails its call with reason code `3100 + code` (see [`crate::ComplianceError`]),
//! so the prediction and the receipt name the same rule.

/// Why a movement of a compliant asset is restricted. The discriminant is the ERC-1404 code
/// (0 means no restriction and has no variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Restriction {
    /// The asset is paused.
    Paused = 1,
    /// The sending wallet is frozen.
    SenderFrozen = 2,
    /// The receiving wallet is frozen.
    RecipientFrozen = 3,
    /// The sender's balance is below the amount.
    InsufficientBalance = 4,
    /// The amount would touch the frozen part of the sender's balance.
    AmountFrozen = 5,
    /// The amount would touch units still under lock-up.
    TokensLocked = 6,
    /// The sending wallet has no identity in the asset's registry.
    SenderNotRegistered = 7,
    /// The receiving wallet has no identity in the asset's registry.
    RecipientNotRegistered = 8,
    /// The sending wallet or its identity is sanctioned.
    SenderSanctioned = 9,
    /// The receiving wallet or its identity is sanctioned.
    RecipientSanctioned = 10,
    /// The sender lacks a required claim (missing, untrusted issuer, expired or too low).
    SenderClaimMissing = 11,
    /// The recipient lacks a required claim.
    RecipientClaimMissing = 12,
    /// The recipient's country is not on the allow list (or is unknown while one applies).
    CountryNotAllowed = 13,
    /// The recipient's country is on the block list.
    CountryBlocked = 14,
    /// The recipient's identity would hold more than the maximum balance.
    MaxBalanceExceeded = 15,
    /// The asset has its maximum number of holders.
    MaxHoldersReached = 16,
    /// The asset has its maximum number of holders in the recipient's country.
    CountryCapReached = 17,
    /// The sender's identity would pass its transfer limit for the current window.
    TransferLimitExceeded = 18,
}

impl Restriction {
    /// The ERC-1404 restriction code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// ERC-1404 `messageForTransferRestriction`.
    pub fn message(self) -> &'static str {
        match self {
            Self::Paused => "asset is paused",
            Self::SenderFrozen => "sender wallet is frozen",
            Self::RecipientFrozen => "recipient wallet is frozen",
            Self::InsufficientBalance => "insufficient balance",
            Self::AmountFrozen => "amount exceeds the unfrozen balance",
            Self::TokensLocked => "amount exceeds the balance free of lock-up",
            Self::SenderNotRegistered => "sender has no identity in the asset's registry",
            Self::RecipientNotRegistered => "recipient has no identity in the asset's registry",
            Self::SenderSanctioned => "sender is sanctioned",
            Self::RecipientSanctioned => "recipient is sanctioned",
            Self::SenderClaimMissing => "sender lacks a required valid claim",
            Self::RecipientClaimMissing => "recipient lacks a required valid claim",
            Self::CountryNotAllowed => "recipient country is not allowed",
            Self::CountryBlocked => "recipient country is blocked",
            Self::MaxBalanceExceeded => "recipient would exceed the maximum balance per investor",
            Self::MaxHoldersReached => "asset has reached its maximum number of holders",
            Self::CountryCapReached => "asset has reached its holder cap for the recipient's country",
            Self::TransferLimitExceeded => "sender would exceed its transfer limit for the window",
        }
    }
}

/// The message for code 0.
pub const OK_MESSAGE: &str = "no restriction";
