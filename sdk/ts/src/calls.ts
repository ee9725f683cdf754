/**
 * Every Pillar call kind, as a discriminated union, plus the one schema table from which both the
 * canonical borsh encoding and the EIP-712 types are derived (docs/transactions.md §2.1, §4).
 *
 * Field names are the EIP-712 names (camelCase); `u64`/`u128` values are `bigint` (a `number`
 * is accepted for `u64`), `u8`/`u16`/`u32` values are `number`.
 */
import type { Address, Hex } from 'viem';

/** A u64 value: `bigint`, or a safe-integer `number`. */
export type U64 = bigint | number;
/** A u128 value. */
export type U128 = bigint;

/** Asset roles for {@link SetAssetRole}. */
export const AssetRole = { Admin: 0, Minter: 1, Burner: 2 } as const;
export type AssetRole = (typeof AssetRole)[keyof typeof AssetRole];

/** A session (or voucher) public key: scheme 0 ed25519 (32 bytes), 1 P-256 compressed SEC1 (33 bytes). */
export interface SessionKey {
  scheme: 0 | 1;
  publicKey: Hex;
}

export interface CountryCap { country: number; maxHolders: number }
export interface ClaimRequirement { topic: number; minValue: U64 }
export interface AmountEntry { wallet: Address; amount: U128 }
export interface ForcedEntry { from: Address; to: Address; amount: U128 }
export interface WalletRecovery { lostWallet: Address; newWallet: Address }
export interface SpendCap { asset: number; total: U128; perWindow: U128 }
export interface MetadataEntry { key: string; value: string }
export interface ItemClass { item: U64; maxSupply: U128; transferable: boolean }
export interface ItemAmount { item: U64; amount: U128 }

export interface Transfer { type: 'Transfer'; to: Address; asset: number; amount: U128 }
export interface CreateAsset { type: 'CreateAsset'; name: string; symbol: string; decimals: number; maxSupply: U128 }
export interface Mint { type: 'Mint'; asset: number; to: Address; amount: U128 }
export interface Burn { type: 'Burn'; asset: number; amount: U128 }
export interface SetAssetRole { type: 'SetAssetRole'; asset: number; role: AssetRole; account: Address; enabled: boolean }
export interface Withdraw { type: 'Withdraw'; asset: number; amount: U128; l1Recipient: Address }
export interface SetRegistryAgent { type: 'SetRegistryAgent'; agent: Address; enabled: boolean }
export interface SetTrustedIssuer { type: 'SetTrustedIssuer'; topic: number; issuer: Address; enabled: boolean }
export interface RegisterIdentity { type: 'RegisterIdentity'; registry: Address; wallet: Address }
export interface LinkWallet { type: 'LinkWallet'; identity: U64; wallet: Address; linked: boolean }
export interface AddClaim { type: 'AddClaim'; identity: U64; topic: number; value: U64; expiresMs: U64 }
export interface RemoveClaim { type: 'RemoveClaim'; identity: U64; topic: number }
export interface SetSanctions { type: 'SetSanctions'; registry: Address; wallets: Address[]; identities: U64[]; sanctioned: boolean }
export interface SetComplianceRules {
  type: 'SetComplianceRules';
  asset: number;
  registry: Address;
  allowedCountries: number[];
  blockedCountries: number[];
  countryCaps: CountryCap[];
  maxHolders: number;
  maxBalance: U128;
  lockupMs: U64;
  limitWindowMs: U64;
  limitAmount: U128;
  requiredClaims: ClaimRequirement[];
}
export interface SetComplianceAgent { type: 'SetComplianceAgent'; asset: number; agent: Address; enabled: boolean }
export interface SetPaused { type: 'SetPaused'; assets: number[]; paused: boolean }
export interface FreezeWallets { type: 'FreezeWallets'; asset: number; wallets: Address[]; frozen: boolean }
export interface FreezeAmounts { type: 'FreezeAmounts'; asset: number; entries: AmountEntry[]; frozen: boolean }
export interface ForcedTransfers { type: 'ForcedTransfers'; asset: number; entries: ForcedEntry[] }
export interface RecoverWallets { type: 'RecoverWallets'; asset: number; entries: WalletRecovery[] }
export interface AuthorizeSession {
  type: 'AuthorizeSession';
  key: SessionKey;
  /** Bitmask of call tags the session may send (see {@link callBits}). */
  calls: U64;
  expiresMs: U64;
  windowMs: U64;
  maxTxs: number;
  caps: SpendCap[];
}
export interface RevokeSession { type: 'RevokeSession'; key: SessionKey }
export interface SetSponsorPolicy { type: 'SetSponsorPolicy'; budget: U128; calls: U64; windowMs: U64; maxTxsPerUser: number }
export interface RegisterAgent { type: 'RegisterAgent'; cardUri: string; wallet: Address; metadata: MetadataEntry[] }
export interface UpdateAgent { type: 'UpdateAgent'; agent: U64; cardUri: string; wallet: Address; metadata: MetadataEntry[] }
export interface TransferAgent { type: 'TransferAgent'; agent: U64; owner: Address }
export interface GiveFeedback { type: 'GiveFeedback'; agent: U64; score: number; tag: string; uri: string }
export interface RevokeFeedback { type: 'RevokeFeedback'; agent: U64; index: U64 }
export interface OpenChannel { type: 'OpenChannel'; agent: U64; asset: number; amount: U128; voucherKey: SessionKey; timeoutMs: U64 }
export interface FundChannel { type: 'FundChannel'; channel: U64; amount: U128 }
export interface SettleChannel { type: 'SettleChannel'; channel: U64; cumulative: U128; signature: Hex; close: boolean }
export interface RequestChannelClose { type: 'RequestChannelClose'; channel: U64 }
export interface CloseChannel { type: 'CloseChannel'; channel: U64 }
export interface CreateCollection { type: 'CreateCollection'; name: string; uri: string }
export interface SetItemMinter { type: 'SetItemMinter'; collection: number; minter: Address; enabled: boolean }
export interface DefineItems { type: 'DefineItems'; collection: number; classes: ItemClass[] }
export interface MintItems { type: 'MintItems'; collection: number; to: Address; items: ItemAmount[] }
export interface TransferItems { type: 'TransferItems'; collection: number; to: Address; items: ItemAmount[] }
export interface BurnItems { type: 'BurnItems'; collection: number; items: ItemAmount[] }

/** Any call a Pillar transaction can carry. */
export type Call =
  | Transfer | CreateAsset | Mint | Burn | SetAssetRole | Withdraw
  | SetRegistryAgent | SetTrustedIssuer | RegisterIdentity | LinkWallet | AddClaim | RemoveClaim
  | SetSanctions | SetComplianceRules | SetComplianceAgent | SetPaused | FreezeWallets
  | FreezeAmounts | ForcedTransfers | RecoverWallets
  | AuthorizeSession | RevokeSession | SetSponsorPolicy
  | RegisterAgent | UpdateAgent | TransferAgent | GiveFeedback | RevokeFeedback
  | OpenChannel | FundChannel | SettleChannel | RequestChannelClose | CloseChannel
  | CreateCollection | SetItemMinter | DefineItems | MintItems | TransferItems | BurnItems;

/** The name of a call kind, e.g. `'Transfer'`. */
export type CallType = Call['type'];

// ------------------------------------------------------------------ schema

/** Field types of the schema. `bytes` is a borsh `Vec<u8>`; `key` a borsh `SessionKey` enum. */
export type FieldType =
  | 'address' | 'bool' | 'string' | 'bytes' | 'key'
  | 'u8' | 'u16' | 'u32' | 'u64' | 'u128'
  | { vec: FieldType }
  | { struct: StructName };

export type StructName =
  | 'CountryCap' | 'ClaimRequirement' | 'AmountEntry' | 'ForcedEntry' | 'WalletRecovery'
  | 'SpendCap' | 'MetadataEntry' | 'ItemClass' | 'ItemAmount';

export type Field = readonly [name: string, type: FieldType];

const vec = (t: FieldType): FieldType => ({ vec: t });
const st = (s: StructName): FieldType => ({ struct: s });

/** Nested structs (EIP-712 referenced types; borsh structs). */
export const STRUCTS: Record<StructName, readonly Field[]> = {
  CountryCap: [['country', 'u16'], ['maxHolders', 'u32']],
  ClaimRequirement: [['topic', 'u8'], ['minValue', 'u64']],
  AmountEntry: [['wallet', 'address'], ['amount', 'u128']],
  ForcedEntry: [['from', 'address'], ['to', 'address'], ['amount', 'u128']],
  WalletRecovery: [['lostWallet', 'address'], ['newWallet', 'address']],
  SpendCap: [['asset', 'u32'], ['total', 'u128'], ['perWindow', 'u128']],
  MetadataEntry: [['key', 'string'], ['value', 'string']],
  ItemClass: [['item', 'u64'], ['maxSupply', 'u128'], ['transferable', 'bool']],
  ItemAmount: [['item', 'u64'], ['amount', 'u128']],
};

/**
 * Call kinds in borsh tag order (the index is the tag), with their fields in declaration order.
 * The EIP-712 primary type has these fields followed by `nonce uint64` and `maxFee uint128`.
 */
export const CALLS: readonly (readonly [CallType, readonly Field[]])[] = [
  ['Transfer', [['to', 'address'], ['asset', 'u32'], ['amount', 'u128']]],
  ['CreateAsset', [['name', 'string'], ['symbol', 'string'], ['decimals', 'u8'], ['maxSupply', 'u128']]],
  ['Mint', [['asset', 'u32'], ['to', 'address'], ['amount', 'u128']]],
  ['Burn', [['asset', 'u32'], ['amount', 'u128']]],
  ['SetAssetRole', [['asset', 'u32'], ['role', 'u8'], ['account', 'address'], ['enabled', 'bool']]],
  ['Withdraw', [['asset', 'u32'], ['amount', 'u128'], ['l1Recipient', 'address']]],
  ['SetRegistryAgent', [['agent', 'address'], ['enabled', 'bool']]],
  ['SetTrustedIssuer', [['topic', 'u8'], ['issuer', 'address'], ['enabled', 'bool']]],
  ['RegisterIdentity', [['registry', 'address'], ['wallet', 'address']]],
  ['LinkWallet', [['identity', 'u64'], ['wallet', 'address'], ['linked', 'bool']]],
  ['AddClaim', [['identity', 'u64'], ['topic', 'u8'], ['value', 'u64'], ['expiresMs', 'u64']]],
  ['RemoveClaim', [['identity', 'u64'], ['topic', 'u8']]],
  ['SetSanctions', [['registry', 'address'], ['wallets', vec('address')], ['identities', vec('u64')], ['sanctioned', 'bool']]],
  ['SetComplianceRules', [
    ['asset', 'u32'], ['registry', 'address'], ['allowedCountries', vec('u16')], ['blockedCountries', vec('u16')],
    ['countryCaps', vec(st('CountryCap'))], ['maxHolders', 'u32'], ['maxBalance', 'u128'], ['lockupMs', 'u64'],
    ['limitWindowMs', 'u64'], ['limitAmount', 'u128'], ['requiredClaims', vec(st('ClaimRequirement'))],
  ]],
  ['SetComplianceAgent', [['asset', 'u32'], ['agent', 'address'], ['enabled', 'bool']]],
  ['SetPaused', [['assets', vec('u32')], ['paused', 'bool']]],
  ['FreezeWallets', [['asset', 'u32'], ['wallets', vec('address')], ['frozen', 'bool']]],
  ['FreezeAmounts', [['asset', 'u32'], ['entries', vec(st('AmountEntry'))], ['frozen', 'bool']]],
  ['ForcedTransfers', [['asset', 'u32'], ['entries', vec(st('ForcedEntry'))]]],
  ['RecoverWallets', [['asset', 'u32'], ['entries', vec(st('WalletRecovery'))]]],
  ['AuthorizeSession', [
    ['key', 'key'], ['calls', 'u64'], ['expiresMs', 'u64'], ['windowMs', 'u64'], ['maxTxs', 'u32'], ['caps', vec(st('SpendCap'))],
  ]],
  ['RevokeSession', [['key', 'key']]],
  ['SetSponsorPolicy', [['budget', 'u128'], ['calls', 'u64'], ['windowMs', 'u64'], ['maxTxsPerUser', 'u32']]],
  ['RegisterAgent', [['cardUri', 'string'], ['wallet', 'address'], ['metadata', vec(st('MetadataEntry'))]]],
  ['UpdateAgent', [['agent', 'u64'], ['cardUri', 'string'], ['wallet', 'address'], ['metadata', vec(st('MetadataEntry'))]]],
  ['TransferAgent', [['agent', 'u64'], ['owner', 'address']]],
  ['GiveFeedback', [['agent', 'u64'], ['score', 'u8'], ['tag', 'string'], ['uri', 'string']]],
  ['RevokeFeedback', [['agent', 'u64'], ['index', 'u64']]],
  ['OpenChannel', [['agent', 'u64'], ['asset', 'u32'], ['amount', 'u128'], ['voucherKey', 'key'], ['timeoutMs', 'u64']]],
  ['FundChannel', [['channel', 'u64'], ['amount', 'u128']]],
  ['SettleChannel', [['channel', 'u64'], ['cumulative', 'u128'], ['signature', 'bytes'], ['close', 'bool']]],
  ['RequestChannelClose', [['channel', 'u64']]],
  ['CloseChannel', [['channel', 'u64']]],
  ['CreateCollection', [['name', 'string'], ['uri', 'string']]],
  ['SetItemMinter', [['collection', 'u32'], ['minter', 'address'], ['enabled', 'bool']]],
  ['DefineItems', [['collection', 'u32'], ['classes', vec(st('ItemClass'))]]],
  ['MintItems', [['collection', 'u32'], ['to', 'address'], ['items', vec(st('ItemAmount'))]]],
  ['TransferItems', [['collection', 'u32'], ['to', 'address'], ['items', vec(st('ItemAmount'))]]],
  ['BurnItems', [['collection', 'u32'], ['items', vec(st('ItemAmount'))]]],
];

const TAGS = new Map<CallType, number>(CALLS.map(([name], i) => [name, i]));
const FIELDS = new Map<CallType, readonly Field[]>(CALLS.map(([name, fields]) => [name, fields]));

/** Every call kind, in tag order. */
export const CALL_TYPES: readonly CallType[] = CALLS.map(([name]) => name);

/** The borsh tag of a call kind (its position in {@link CALLS}). */
export function callTag(type: CallType): number {
  const tag = TAGS.get(type);
  if (tag === undefined) throw new Error(`unknown call type ${String(type)}`);
  return tag;
}

/** The fields of a call kind, in order. */
export function callFields(type: CallType): readonly Field[] {
  const fields = FIELDS.get(type);
  if (fields === undefined) throw new Error(`unknown call type ${String(type)}`);
  return fields;
}

/**
 * The `calls` bitmask of {@link AuthorizeSession} or {@link SetSponsorPolicy} allowing the given
 * kinds, e.g. `callBits('Transfer', 'Withdraw')` = `1n | 1n << 5n`.
 */
export function callBits(...types: CallType[]): bigint {
  return types.reduce((mask, t) => mask | (1n << BigInt(callTag(t))), 0n);
}
