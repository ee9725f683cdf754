// EIP-712 types for Pillar calls, written from docs/transactions.md (not generated from our
// code), so tests that use them check that the documentation and the node agree.
export const types = {
  Transfer: [
    { name: 'to', type: 'address' },
    { name: 'asset', type: 'uint32' },
    { name: 'amount', type: 'uint128' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
  CreateAsset: [
    { name: 'name', type: 'string' },
    { name: 'symbol', type: 'string' },
    { name: 'decimals', type: 'uint8' },
    { name: 'maxSupply', type: 'uint128' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
  Mint: [
    { name: 'asset', type: 'uint32' },
    { name: 'to', type: 'address' },
    { name: 'amount', type: 'uint128' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
  Burn: [
    { name: 'asset', type: 'uint32' },
    { name: 'amount', type: 'uint128' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
  Withdraw: [
    { name: 'asset', type: 'uint32' },
    { name: 'amount', type: 'uint128' },
    { name: 'l1Recipient', type: 'address' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
  SetAssetRole: [
    { name: 'asset', type: 'uint32' },
    { name: 'role', type: 'uint8' },
    { name: 'account', type: 'address' },
    { name: 'enabled', type: 'bool' },
    { name: 'nonce', type: 'uint64' },
    { name: 'maxFee', type: 'uint128' },
  ],
};

export function domain(chainId) {
  return { name: 'Pillar', version: '1', chainId };
}
