import { expect, test } from '../fixtures';
import { CHANNELS_PATH } from '../pages/channels-page';
import { DEMO_PASSWORD, LoginPage } from '../pages/login-page';
import { expectFitsAPhone, expectNoEnglish } from '../pages/languages';
import { decodeQr, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// The rest of a channel's life in Spanish and in Portuguese: a refused sign-in, the passkey
// step, the session's details, a conversation and its reply, the reply refused once the
// channel is disconnected, and the Disable and Delete dialogs. The server's own refusals
// come in the language too, and no English is left on any of these screens.

const languages = [
  {
    locale: 'es-MX',
    signIn: ['Correo electrónico', 'Contraseña', 'Iniciar sesión'],
    wrongPassword: 'Correo electrónico o contraseña incorrectos',
    add: 'Agregar',
    accounts: 'Cuentas de WhatsApp Web',
    qr: 'Código QR de WhatsApp',
    passkey: 'WhatsApp pide tu llave de acceso',
    passkeyCode: 'Código de un solo uso para la llave de acceso',
    cancel: 'Cancelar',
    connected: 'Conectado',
    details: 'Detalles',
    figures: ['Mensajes recibidos', 'Datos recibidos', 'Reconexiones'],
    refresh: 'Actualizar',
    inbox: 'Bandeja de entrada',
    reply: 'Respuesta',
    send: 'Enviar',
    disconnect: 'Desconectar',
    disconnectTitle: '¿Desconectar esta cuenta de WhatsApp?',
    disconnected: 'Desconectado',
    replyBlocked: 'Este canal está Desconectado, así que no se pueden enviar respuestas.',
    channels: 'Canales',
    disable: 'Desactivar',
    disableTitle: '¿Desactivar esta cuenta de WhatsApp?',
    showDisabled: 'Mostrar desactivados (1)',
    delete: 'Eliminar',
    deleteTitle: 'Eliminar cuenta de WhatsApp Web',
    typeName: (name: string) => `Escribe ${name} para confirmar`,
    oneConversation: /1 conversación/,
  },
  {
    locale: 'pt-BR',
    signIn: ['E-mail', 'Senha', 'Entrar'],
    wrongPassword: 'E-mail ou senha inválidos',
    add: 'Adicionar',
    accounts: 'Contas do WhatsApp Web',
    qr: 'Código QR do WhatsApp',
    passkey: 'O WhatsApp pede sua chave de acesso',
    passkeyCode: 'Código de uso único da chave de acesso',
    cancel: 'Cancelar',
    connected: 'Conectado',
    details: 'Detalhes',
    figures: ['Mensagens recebidas', 'Dados recebidos', 'Reconexões'],
    refresh: 'Atualizar',
    inbox: 'Caixa de entrada',
    reply: 'Resposta',
    send: 'Enviar',
    disconnect: 'Desconectar',
    disconnectTitle: 'Desconectar esta conta do WhatsApp?',
    disconnected: 'Desconectado',
    replyBlocked: 'Este canal está Desconectado, então não é possível enviar respostas.',
    channels: 'Canais',
    disable: 'Desativar',
    disableTitle: 'Desativar esta conta do WhatsApp?',
    showDisabled: 'Mostrar desativados (1)',
    delete: 'Excluir',
    deleteTitle: 'Excluir conta do WhatsApp Web',
    typeName: (name: string) => `Digite ${name} para confirmar`,
    oneConversation: /1 conversa\b/,
  },
];

for (const words of languages) {
  test.describe(`a channel's life in ${words.locale}`, () => {
    test.use({ locale: words.locale });

    test('refused sign-in, passkey step, details, a reply, the refusal when disconnected, Disable and Delete, all in the language', async ({ page }) => {
      test.setTimeout(120_000);
      const tenant = new Tenant(`dialogs-${words.locale}`);
      const [email, password, signIn] = words.signIn;
      await new LoginPage(page).goto();
      await page.getByLabel(email).fill(tenant.admin.email);
      await page.getByLabel(password).fill('not-the-password');
      await page.getByRole('button', { name: signIn }).click();
      await expect(page.getByRole('alert')).toHaveText(words.wrongPassword);
      await expectNoEnglish(page, 'the refused sign-in');
      await page.getByLabel(email).fill(tenant.admin.email);
      await page.getByLabel(password).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: signIn }).click();
      await expect(page).toHaveURL(CHANNELS_PATH);

      const accountCards = () => page.getByRole('region', { name: words.accounts }).getByRole('article');

      // A number protected by a passkey: WhatsApp's step, in the language, then Cancel.
      const sim = new Simulator(page.request);
      const scan = async (phone: string, business: string, extra: Record<string, unknown> = {}) => {
        await page.getByRole('button', { name: words.add }).click();
        const qr = page.getByRole('img', { name: words.qr });
        await expect(qr).toBeVisible();
        for (let attempt = 0; attempt < 3; attempt++) {
          if ((await sim.scan(await decodeQr(qr), phone, business, extra)).status() === 200) break;
        }
      };
      await scan(uniqueMexicanNumber().e164, 'Llavero', { passkey: true });
      const gated = accountCards().first();
      await expect(gated.getByRole('status').filter({ hasText: words.passkey })).toBeVisible();
      await expect(gated.getByLabel(words.passkeyCode)).toBeVisible();
      await expectNoEnglish(page, 'the passkey step');
      await gated.getByRole('button', { name: words.cancel }).click();
      await expect(accountCards()).toHaveCount(0);

      // A plain link, and the session's details.
      const linked = uniqueMexicanNumber();
      const business = `Tienda ${words.locale}`;
      await scan(linked.e164, business);
      const card = accountCards().filter({ hasText: business });
      await expect(card.getByText(words.connected, { exact: true })).toBeVisible();
      await card.getByRole('button', { name: words.details }).click();
      for (const figure of words.figures) await expect(card.getByText(figure, { exact: true })).toBeVisible();
      await expect(card.getByRole('button', { name: words.refresh })).toBeVisible();
      await expectNoEnglish(page, 'the session details');

      // A customer writes; the conversation and a reply, in the language.
      const customer = '+573001112233';
      expect((await sim.message(linked.e164, { from: customer, name: 'Lucía Gómez', text: 'Hola, ¿tienen envíos?' })).status()).toBe(202);
      await page.getByRole('link', { name: words.inbox }).first().click();
      const row = page.getByRole('listitem').filter({ hasText: 'Hola, ¿tienen envíos?' });
      await row.first().getByRole('link').click();
      await page.getByLabel(words.reply).fill('¡Claro que sí!');
      await page.getByRole('button', { name: words.send, exact: true }).click();
      await expect(page.getByLabel(words.reply)).toHaveValue('');
      await expect(page.getByText('¡Claro que sí!', { exact: true })).toBeVisible();
      await expectNoEnglish(page, 'the conversation');
      await page.setViewportSize({ width: 390, height: 844 });
      await expectFitsAPhone(page);
      await page.setViewportSize({ width: 1280, height: 900 });
      const conversation = page.url();

      // Disconnected: the conversation stays readable and says why replies stop, as the
      // server words it for this person.
      await page.goto(CHANNELS_PATH);
      await card.getByRole('button', { name: words.disconnect }).click();
      await page.getByRole('alertdialog', { name: words.disconnectTitle }).getByRole('button', { name: words.disconnect }).click();
      await expect(card.getByText(words.disconnected, { exact: true }).first()).toBeVisible();
      await page.goto(conversation);
      await expect(page.getByText(words.replyBlocked)).toBeVisible();
      await expectNoEnglish(page, 'the conversation of a disconnected channel');

      // Disable, then Delete with its counted warning.
      await page.goto(CHANNELS_PATH);
      await card.getByRole('button', { name: words.disable }).click();
      const disable = page.getByRole('alertdialog', { name: words.disableTitle });
      await expect(disable.getByRole('button', { name: words.cancel })).toBeFocused();
      await expectNoEnglish(page, 'the Disable dialog');
      await disable.getByRole('button', { name: words.disable }).click();
      await expect(card).toHaveCount(0);
      await page.getByRole('switch', { name: words.showDisabled }).click();
      await card.getByRole('button', { name: words.delete }).click();
      const remove = page.getByRole('alertdialog', { name: words.deleteTitle });
      await expect(remove.getByText(words.oneConversation)).toBeVisible();
      await expectNoEnglish(page, 'the Delete dialog');
      await page.setViewportSize({ width: 390, height: 844 });
      await expectFitsAPhone(page);
      await page.setViewportSize({ width: 1280, height: 900 });
      await remove.getByLabel(words.typeName(business)).fill(business);
      await remove.getByRole('button', { name: words.delete }).click();
      await expect(card).toHaveCount(0);
      await expectNoEnglish(page, 'the Channels page after Delete');
    });
  });
}
