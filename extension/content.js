// A small panel on web.whatsapp.com: Aurora's address (remembered) and the one-time code
// from the channel card; the passkey itself is asked for by the browser, on WhatsApp's site.
// Its words are in `_locales`, in the browser's language (English, Spanish, Portuguese).
(function () {
  const say = (name, ...fill) => chrome.i18n.getMessage(name, fill);
  const panel = document.createElement('aside');
  panel.setAttribute('aria-label', say('extName'));
  panel.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:99999;background:#fff;color:#111;' +
    'border:1px solid #ccc;border-radius:8px;padding:12px;font:14px system-ui;max-width:320px;box-shadow:0 2px 8px #0003';
  panel.innerHTML = `
    <strong></strong>
    <label style="display:block;margin-top:8px"><span></span>
      <input name="aurora" type="url" placeholder="https://aurora.example.com" style="width:100%"></label>
    <label style="display:block;margin-top:8px"><span></span>
      <input name="code" autocomplete="off" style="width:100%"></label>
    <button type="button" style="margin-top:8px"></button>
    <p role="status" style="margin:8px 0 0"></p>`;
  const [title, address, codeLabel] = panel.querySelectorAll('strong, label > span');
  title.textContent = say('panelTitle');
  address.textContent = say('address');
  codeLabel.textContent = say('code');
  panel.querySelector('button').textContent = say('use');
  const [aurora, code] = panel.querySelectorAll('input');
  const status = panel.querySelector('[role=status]');
  chrome.storage.local.get('aurora').then((saved) => { aurora.value = saved.aurora || ''; });
  const send = (method, url, body) => chrome.runtime.sendMessage({ kind: 'aurora-request', method, url, body });
  panel.querySelector('button').addEventListener('click', async () => {
    status.textContent = say('working');
    await chrome.storage.local.set({ aurora: aurora.value });
    const result = await globalThis.AuroraHandoff.handOff({ aurora: aurora.value, code: code.value, send });
    status.textContent = say(...result.say);
  });
  document.body.appendChild(panel);
})();
