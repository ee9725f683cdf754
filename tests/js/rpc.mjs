// A minimal JSON-RPC over HTTP client for the test scripts: `const http = httpClient(url);
// await http('pillar_chainInfo', [])`. Errors throw with the method and the node's error object.
export function httpClient(url) {
  let id = 0;
  return async function http(method, params) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
}
