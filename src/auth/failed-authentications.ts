import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { WindowCounterStorage } from '../common/http/rate-limit.storage';
import { APP_CONFIG, AppConfig } from '../config/app-config';

const WINDOW_MS = 60_000;
const NAME = 'failed-authentication';

/**
 * Requests without a usable key, counted per client address (RATE_LIMIT_PER_MINUTE a minute).
 * Once an address is over its budget, its requests are refused before any key is looked up, so a
 * flood of made-up keys costs no database work; keys this process authenticated moments ago
 * still pass (see ApiKeyGuard).
 */
@Injectable()
export class FailedAuthentications {
  private readonly counters = new WindowCounterStorage();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Throws 429 when the address has used up its budget of failed attempts, after setting
   * `Retry-After` to the seconds until its window ends (as the per-key limiter does).
   */
  refuseIfOverBudget(address: string, response: { setHeader(name: string, value: string): unknown }): void {
    const { hits, resetSeconds } = this.counters.peek(address, WINDOW_MS, NAME);
    if (hits < this.config.rateLimitPerMinute) return;
    response.setHeader('Retry-After', String(resetSeconds));
    throw new DomainError('TOO_MANY_REQUESTS', 'too many requests without a valid API key from this address; retry later', [
      { field: 'authorization', rule: 'rateLimit', message: `at most ${this.config.rateLimitPerMinute} failed authentications a minute per address` },
    ]);
  }

  async record(address: string): Promise<void> {
    await this.counters.increment(address, WINDOW_MS, this.config.rateLimitPerMinute, 0, NAME);
  }
}
