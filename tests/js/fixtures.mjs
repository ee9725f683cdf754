// Prints EIP-712 digests and signatures computed by ethers for fixed transactions. The Rust
// fixture tests in crates/primitives hold these values: an independent implementation agrees
// with ours byte for byte.
import { Wallet, TypedDataEncoder } from 'ethers';
import { types, domain } from './pillar-types.mjs';

const wallet = new Wallet('0x' + '01'.repeat(32));
const cases = [
  ['Transfer', { to: '0x00000000000000000000000000000000000000aa', asset: 0, amount: '1000000000000000000', nonce: 7, maxFee: '10000000000000' }],
  ['CreateAsset', { name: 'Gold', symbol: 'GLD', decimals: 2, maxSupply: '340282366920938463463374607431768211455', nonce: 0, maxFee: '0' }],
  ['Mint', { asset: 3, to: '0x00000000000000000000000000000000000000bb', amount: '5', nonce: 1, maxFee: '0' }],
  ['Burn', { asset: 3, amount: '2', nonce: 2, maxFee: '0' }],
  ['SetAssetRole', { asset: 3, role: 1, account: '0x00000000000000000000000000000000000000cc', enabled: true, nonce: 3, maxFee: '0' }],
  ['Withdraw', { asset: 0, amount: '500000000000000000', l1Recipient: '0x00000000000000000000000000000000000000dd', nonce: 4, maxFee: '10000000000000' }],
];
console.log(`signer ${wallet.address}`);
for (const [primaryType, message] of cases) {
  const t = { [primaryType]: types[primaryType] };
  const digest = TypedDataEncoder.hash(domain(901), t, message);
  const sig = await wallet.signTypedData(domain(901), t, message);
  console.log(`${primaryType} ${digest} ${sig}`);
}
