// Talks to Aurora for the panel on web.whatsapp.com: the extension's own requests carry
// the user's Aurora sign-in, which a page on WhatsApp's site must not.
chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.kind !== 'aurora-request') return false;
  fetch(message.url, {
    method: message.method,
    credentials: 'include',
    headers: message.body ? { 'Content-Type': 'application/json' } : {},
    body: message.body,
  })
    .then(async (response) => reply({ status: response.status, text: await response.text() }))
    .catch((e) => reply({ status: 0, text: String(e) }));
  return true; // answers asynchronously
});
