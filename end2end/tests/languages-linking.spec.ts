import { expect, test } from '../fixtures';
import { CHANNELS_PATH } from '../pages/channels-page';
import { DEMO_PASSWORD, LoginPage } from '../pages/login-page';
import { expectFitsAPhone, expectNoEnglish } from '../pages/languages';
import { decodeQr, Simulator } from '../pages/simulator';
import { Tenant, uniqueMexicanNumber } from '../pages/tenant';

// Linking a number from start to end in Spanish and in Portuguese: the Channels page, the
// QR card with WhatsApp's own menu names, the wizard with a refusal, and the Disconnect
// dialog, with no English left on the way and nothing too wide for a phone.

const languages = [
  {
    locale: 'es-MX',
    signIn: ['Correo electrónico', 'Contraseña', 'Iniciar sesión'],
    add: 'Agregar',
    used: /1 de 5 canales en uso/,
    accounts: 'Cuentas de WhatsApp Web',
    qr: 'Código QR de WhatsApp',
    steps: ['Abre WhatsApp en tu teléfono', 'Dispositivos vinculados', 'Vincular un dispositivo'],
    newCode: /Código nuevo en \d+ s/,
    connected: 'Conectado',
    disconnected: 'Desconectado',
    finishSetup: 'Terminar configuración',
    wizard: 'Configurar cuenta de WhatsApp Web',
    stepOf: (n: number) => `Paso ${n} de 5`,
    next: 'Siguiente',
    back: 'Atrás',
    name: 'Nombre',
    nameRequired: 'El nombre es obligatorio',
    cellphoneUser: 'Usuario del celular',
    funnel: 'Embudo',
    save: 'Guardar',
    saved: 'Guardado',
    visibleTo: 'Todo el equipo',
    disconnect: 'Desconectar',
    disconnectTitle: '¿Desconectar esta cuenta de WhatsApp?',
    cancel: 'Cancelar',
  },
  {
    locale: 'pt-BR',
    signIn: ['E-mail', 'Senha', 'Entrar'],
    add: 'Adicionar',
    used: /1 de 5 canais em uso/,
    accounts: 'Contas do WhatsApp Web',
    qr: 'Código QR do WhatsApp',
    steps: ['Abra o WhatsApp no seu celular', 'Aparelhos conectados', 'Conectar um aparelho'],
    newCode: /Novo código em \d+ s/,
    connected: 'Conectado',
    disconnected: 'Desconectado',
    finishSetup: 'Concluir configuração',
    wizard: 'Configurar conta do WhatsApp Web',
    stepOf: (n: number) => `Passo ${n} de 5`,
    next: 'Avançar',
    back: 'Voltar',
    name: 'Nome',
    nameRequired: 'O nome é obrigatório',
    cellphoneUser: 'Usuário do celular',
    funnel: 'Funil',
    save: 'Salvar',
    saved: 'Salvo',
    visibleTo: 'Toda a equipe',
    disconnect: 'Desconectar',
    disconnectTitle: 'Desconectar esta conta do WhatsApp?',
    cancel: 'Cancelar',
  },
];

for (const words of languages) {
  test.describe(`linking in ${words.locale}`, () => {
    test.use({ locale: words.locale });

    test('Add, QR, scan, Connected, the wizard with a refusal, and Disconnect, all in the language', async ({ page }) => {
      test.setTimeout(90_000);
      const tenant = new Tenant(`lang-${words.locale}`);
      await new LoginPage(page).goto();
      const [email, password, signIn] = words.signIn;
      await page.getByLabel(email).fill(tenant.admin.email);
      await page.getByLabel(password).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: signIn }).click();
      await expect(page).toHaveURL(CHANNELS_PATH);
      await expectNoEnglish(page, 'the empty Channels page');

      await page.getByRole('button', { name: words.add }).click();
      const qr = page.getByRole('img', { name: words.qr });
      await expect(qr).toBeVisible();
      await expect(page.getByText(words.used)).toBeVisible();
      for (const step of words.steps) await expect(page.getByRole('listitem').filter({ hasText: step })).toBeVisible();
      await expect(page.getByText(words.newCode)).toBeVisible();
      await expectNoEnglish(page, 'the QR card');

      // On a phone the card fits and the QR stays large enough to scan.
      await page.setViewportSize({ width: 390, height: 844 });
      await expectFitsAPhone(page);
      const box = await qr.boundingBox();
      expect(box!.width).toBeGreaterThanOrEqual(160);
      await page.setViewportSize({ width: 1280, height: 900 });

      const linked = uniqueMexicanNumber();
      const sim = new Simulator(page.request);
      for (let attempt = 0; attempt < 3; attempt++) {
        if ((await sim.scan(await decodeQr(qr), linked.e164, `Tienda ${words.locale}`)).status() === 200) break;
      }
      const card = page.getByRole('region', { name: words.accounts }).getByRole('article').filter({ hasText: `Tienda ${words.locale}` });
      await expect(card.getByText(words.connected, { exact: true })).toBeVisible();
      await expectNoEnglish(page, 'the Connected card');

      // The wizard opens where something is missing (who holds the phone); back to the name,
      // which refuses to be empty.
      await card.getByRole('button', { name: words.finishSetup }).click();
      const dialog = page.getByRole('dialog', { name: words.wizard });
      await expect(dialog.getByText(words.stepOf(3))).toBeVisible();
      await expectNoEnglish(page, 'the wizard');
      await dialog.getByRole('button', { name: words.back }).click();
      await expect(dialog.getByText(words.stepOf(2))).toBeVisible();
      const name = dialog.getByLabel(words.name, { exact: true });
      await name.fill('   ');
      await expect(dialog.getByText(words.nameRequired)).toBeVisible();
      await expect(dialog.getByRole('button', { name: words.next })).toBeDisabled();
      await name.fill(`Tienda ${words.locale}`);
      await dialog.getByRole('button', { name: words.next }).click();
      await dialog.getByLabel(words.cellphoneUser).selectOption({ label: 'Bruno Díaz' });
      await dialog.getByRole('button', { name: words.next }).click();
      await dialog.getByLabel(words.funnel).selectOption({ label: 'Ventas' });
      await dialog.getByRole('button', { name: words.next }).click();
      await expect(dialog.getByText(words.stepOf(5))).toBeVisible();
      await expectNoEnglish(page, 'the last step of the wizard');
      await dialog.getByRole('button', { name: words.save }).click();
      await expect(dialog).toBeHidden();
      await expect(card.getByRole('status').filter({ hasText: words.saved })).toBeVisible();
      await expect(card.getByText(words.visibleTo)).toBeVisible();
      await expectNoEnglish(page, 'the set-up card');

      await page.setViewportSize({ width: 390, height: 844 });
      await expectFitsAPhone(page);
      await page.setViewportSize({ width: 1280, height: 900 });

      await card.getByRole('button', { name: words.disconnect }).click();
      const confirm = page.getByRole('alertdialog', { name: words.disconnectTitle });
      await expect(confirm.getByRole('button', { name: words.cancel })).toBeFocused();
      await expectNoEnglish(page, 'the Disconnect dialog');
      await confirm.getByRole('button', { name: words.disconnect }).click();
      await expect(card.getByText(words.disconnected, { exact: true }).first()).toBeVisible();
      await expectNoEnglish(page, 'the Disconnected card');
    });
  });
}

for (const who of [
  { email: 'sofia@demo.test', lang: 'es', add: 'Agregar', inbox: 'Bandeja de entrada', search: 'Buscar conversaciones', tabs: ['Mías', 'Sin asignar', 'Todas'], reply: 'Respuesta' },
  { email: 'joao@demo.test', lang: 'pt-BR', add: 'Adicionar', inbox: 'Caixa de entrada', search: 'Pesquisar conversas', tabs: ['Minhas', 'Sem responsável', 'Todas'], reply: 'Resposta' },
]) {
  test(`${who.email} reads Aurora in ${who.lang} from an English browser, the inbox included`, async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(who.email);
    await expect(page).toHaveURL(CHANNELS_PATH);
    await expect(page.locator('html')).toHaveAttribute('lang', who.lang);
    await expect(page.getByRole('button', { name: who.add })).toBeVisible();
    await page.getByRole('link', { name: who.inbox }).first().click();
    await expect(page).toHaveURL('/inbox');
    await expect(page.getByRole('heading', { name: who.inbox, level: 1 })).toBeVisible();
    await expect(page.getByRole('searchbox', { name: who.search })).toBeVisible();
    for (const tab of who.tabs) await expect(page.getByRole('link', { name: tab, exact: true })).toBeVisible();
    await expect(page).toHaveTitle(new RegExp(who.inbox));
    // A page loaded afresh is in the language from its first paint.
    await page.reload();
    await expect(page.getByRole('searchbox', { name: who.search })).toBeVisible();
    await expectNoEnglish(page, 'the inbox');
  });
}

test('a missing page says so in the person\'s language, with a 404', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('sofia@demo.test');
  await expect(page).toHaveURL(CHANNELS_PATH);
  const response = await page.goto('/no-existe');
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Página no encontrada' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ir a Canales' })).toBeVisible();
  await expect(page).toHaveTitle(/No encontrada/);
});
