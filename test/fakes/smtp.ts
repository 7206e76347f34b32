import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A fault for the next message: an SMTP reply code after the data arrived (the mail is then not kept), or kept and then refused (the answer is "lost"). */
export type SmtpFault = { code: number } | { keepThenFail: true };

/**
 * A real SMTP server on 127.0.0.1 (smtp-server), with login, keeping every message as mailparser
 * reads it. Faults answer 4xx/5xx after DATA like real servers do.
 */
export class FakeSmtp {
  readonly mails: ParsedMail[] = [];
  /** Messages offered (DATA), kept or refused. */
  attempts = 0;
  readonly faults: SmtpFault[] = [];
  down: SmtpFault | null = null;
  port = 0;
  private readonly server: SMTPServer;

  constructor(
    readonly user = 'bot',
    readonly password = 'smtp-test-password',
  ) {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: false,
      logger: false,
      disableReverseLookup: true,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.user && auth.password === this.password) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData: (stream, _session, callback) => {
        this.attempts++;
        const fault = this.down ?? this.faults.shift();
        simpleParser(stream)
          .then((mail) => {
            if (fault && 'code' in fault)
              return callback(Object.assign(new Error(`refused (${fault.code})`), { responseCode: fault.code }));
            this.mails.push(mail);
            if (fault) return callback(Object.assign(new Error('answer lost'), { responseCode: 451 }));
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
