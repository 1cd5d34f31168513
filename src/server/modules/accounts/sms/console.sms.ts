import { assertValidMessage, maskPhone, type SmsDeps, type SmsMessage, type SmsProvider } from './sms.provider.js';

/** The text a real SMS would carry, in the recipient's language. */
export function smsText(msg: Pick<SmsMessage, 'code' | 'locale'>): string {
  return msg.locale === 'zh-CN' ? `你的拍客验证码是 ${msg.code}，5 分钟内有效。` : `Your Paike code is ${msg.code}. It expires in 5 minutes.`;
}

/**
 * Development provider: prints the message instead of sending it. The code is shown (that is
 * the point: a developer signs in with it); the phone number is masked.
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console' as const;
  readonly #log: (line: string) => void;

  constructor(deps: Pick<SmsDeps, 'log'> = {}) {
    this.#log = deps.log ?? ((line) => void process.stdout.write(`${line}\n`));
  }

  async send(msg: SmsMessage): Promise<void> {
    assertValidMessage(this.name, msg);
    this.#log(`[sms] to ${maskPhone(msg.phone)}: ${smsText(msg)}`);
  }
}
