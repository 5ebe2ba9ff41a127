import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import type { OutgoingMail } from '../mail/index.js';

/** The account messages, with links to the frontend (APP_URL). */
@Injectable()
export class AccountMails {
  constructor(private readonly config: AppConfig) {}

  private link(path: string, token: string): string {
    return `${this.config.accounts.appUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  private hours(seconds: number): string {
    return seconds >= 3600
      ? `${Math.round(seconds / 3600)} hours`
      : `${Math.round(seconds / 60)} minutes`;
  }

  verifyEmail(to: string, username: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'email_verification',
      subject: 'Confirm your email address',
      paragraphs: [
        `Hello ${username},`,
        `Please confirm that this is your email address. The link works once, for ${this.hours(this.config.accounts.emailVerificationTtlSeconds)}.`,
      ],
      action: { label: 'Confirm my email address', url: this.link('/verify-email', token) },
      footer: 'If you did not create a Conduit account, you can ignore this message.',
    };
  }

  confirmNewEmail(to: string, username: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'email_change',
      subject: 'Confirm your new email address',
      paragraphs: [
        `Hello ${username},`,
        `You asked to use this address for your Conduit account. It takes effect when you confirm it. The link works once, for ${this.hours(this.config.accounts.emailVerificationTtlSeconds)}.`,
      ],
      action: { label: 'Use this email address', url: this.link('/verify-email', token) },
      footer: 'If you did not ask for this, ignore this message: nothing changes.',
    };
  }

  emailChangeRequested(to: string, username: string, newEmail: string): OutgoingMail {
    return {
      to,
      kind: 'email_change_notice',
      subject: 'A change of your email address was requested',
      paragraphs: [
        `Hello ${username},`,
        `Someone signed in to your Conduit account asked to change its email address to ${newEmail}. Nothing changes until that address confirms; until then you keep signing in with this one.`,
        'If this was not you, change your password now: it ends every other session.',
      ],
    };
  }

  emailChanged(to: string, username: string): OutgoingMail {
    return {
      to,
      kind: 'email_changed_notice',
      subject: 'Your email address was changed',
      paragraphs: [
        `Hello ${username},`,
        'The email address of your Conduit account was changed; this address is no longer used to sign in.',
        'If this was not you, contact support.',
      ],
    };
  }

  resetPassword(to: string, username: string, token: string): OutgoingMail {
    return {
      to,
      kind: 'password_reset',
      subject: 'Reset your password',
      paragraphs: [
        `Hello ${username},`,
        `Someone asked to reset the password of your Conduit account. The link works once, for ${this.hours(this.config.accounts.passwordResetTtlSeconds)}.`,
      ],
      action: { label: 'Choose a new password', url: this.link('/reset-password', token) },
      footer: 'If you did not ask for this, ignore this message: your password stays the same.',
    };
  }

  passwordChanged(to: string, username: string): OutgoingMail {
    return {
      to,
      kind: 'password_changed_notice',
      subject: 'Your password was changed',
      paragraphs: [
        `Hello ${username},`,
        'The password of your Conduit account was reset, and every session was signed out.',
        'If this was not you, reset your password again and contact support.',
      ],
    };
  }
}
