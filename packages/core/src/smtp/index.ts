/**
 * @blueclerk/core/smtp - the Node-only SMTP mailer (nodemailer, an optional peer dependency). Kept out of the main
 * entry so edge runtimes never load `node:` modules.
 */
export { parseSmtpMailerConfig, type SmtpMailerConfig } from './config';
export { toSmtpError } from './errors';
export { createSmtpMailer, type SmtpMailer, type SmtpMailReceipt } from './mailer';
