// The passkey hand-off, shared by the extension's panel and the tests: read WhatsApp's
// request from Aurora under the one-time code, ask the browser for the passkey, and give
// Aurora the answer. No dependencies; runs in any page that has WebAuthn.
(function () {
  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64url = (buffer) => {
    let text = '';
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  /** WhatsApp's request options (JSON, binary fields base64url) as WebAuthn takes them. */
  function requestOptions(json, rpId) {
    const o = JSON.parse(json);
    return {
      challenge: fromB64url(o.challenge),
      rpId: rpId || o.rpId,
      timeout: o.timeout,
      userVerification: o.userVerification || 'preferred',
      allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
    };
  }

  /** The credential the browser returned, in WebAuthn's JSON form. */
  function assertionJson(credential) {
    const r = credential.response;
    return JSON.stringify({
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toB64url(r.clientDataJSON),
        authenticatorData: toB64url(r.authenticatorData),
        signature: toB64url(r.signature),
        userHandle: r.userHandle ? toB64url(r.userHandle) : null,
      },
    });
  }

  /**
   * Runs the hand-off. `aurora`: Aurora's address; `code`: the card's one-time code;
   * `send(method, url, body)` answers `{status, text}`; `rpId` only where the page is not
   * WhatsApp's own (tests). Answers what to tell the user: `say`, the message's name in
   * `_locales` and what fills it, worded by the panel in the browser's language.
   */
  async function handOff({ aurora, code, send, rpId }) {
    const url = `${aurora.replace(/\/+$/, '')}/api/passkey/${encodeURIComponent(code.trim())}`;
    const request = await send('GET', url);
    if (request.status === 401) return { ok: false, say: ['signInFirst'] };
    if (request.status !== 200) return { ok: false, say: ['unknownCode'] };
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: requestOptions(request.text, rpId) });
    } catch (e) {
      return { ok: false, say: ['notUsed', e.name] };
    }
    const answer = await send('POST', url, assertionJson(credential));
    if (answer.status === 202) return { ok: true, say: ['done'] };
    return { ok: false, say: ['refused', String(answer.status), answer.text] };
  }

  globalThis.AuroraHandoff = { handOff, requestOptions, assertionJson };
})();
