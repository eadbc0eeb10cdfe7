/**
 * Server-wide counters for INFO stats / errorstats, and the instantaneous rates Redis derives
 * from samples taken every 100 ms over the last 16 samples.
 */

const SAMPLES = 16;

class RateMeter {
  private readonly samples = new Float64Array(SAMPLES);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  sample(nowMs: number, value: number): void {
    if (this.lastTime !== 0 && nowMs > this.lastTime) {
      const perSec = ((value - this.lastValue) * 1000) / (nowMs - this.lastTime);
      this.samples[this.idx] = perSec;
      this.idx = (this.idx + 1) % SAMPLES;
    }
    this.lastTime = nowMs;
    this.lastValue = value;
  }

  get value(): number {
    let sum = 0;
    for (let i = 0; i < SAMPLES; i++) sum += this.samples[i]!;
    return sum / SAMPLES;
  }

  reset(): void {
    this.samples.fill(0);
  }
}

export class ServerStats {
  connectionsReceived = 0;
  rejectedConnections = 0;
  commandsProcessed = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  netReplInputBytes = 0;
  netReplOutputBytes = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expiredTimeCapReached = 0;
  expireCycleCpuMs = 0;
  evictedKeys = 0;
  evictedClients = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  totalErrorReplies = 0;
  readsProcessed = 0;
  writesProcessed = 0;
  clientQbufLimitDisconnections = 0;
  clientOutbufLimitDisconnections = 0;
  /** Error code → count (INFO errorstats). */
  readonly errors = new Map<string, number>();

  readonly opsRate = new RateMeter();
  readonly inputRate = new RateMeter();
  readonly outputRate = new RateMeter();

  countError(code: string): void {
    this.totalErrorReplies++;
    // Redis caps the number of distinct error codes it tracks at 128.
    const n = this.errors.get(code);
    if (n !== undefined) this.errors.set(code, n + 1);
    else if (this.errors.size < 128) this.errors.set(code, 1);
  }

  /** Called every 100 ms by the server cron. */
  sample(nowMs: number): void {
    this.opsRate.sample(nowMs, this.commandsProcessed);
    this.inputRate.sample(nowMs, this.netInputBytes);
    this.outputRate.sample(nowMs, this.netOutputBytes);
  }

  /** CONFIG RESETSTAT */
  reset(): void {
    this.connectionsReceived = 0;
    this.rejectedConnections = 0;
    this.commandsProcessed = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.netReplInputBytes = 0;
    this.netReplOutputBytes = 0;
    this.expiredKeys = 0;
    this.expiredStalePerc = 0;
    this.expiredTimeCapReached = 0;
    this.expireCycleCpuMs = 0;
    this.evictedKeys = 0;
    this.evictedClients = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.syncFull = 0;
    this.syncPartialOk = 0;
    this.syncPartialErr = 0;
    this.totalErrorReplies = 0;
    this.readsProcessed = 0;
    this.writesProcessed = 0;
    this.clientQbufLimitDisconnections = 0;
    this.clientOutbufLimitDisconnections = 0;
    this.errors.clear();
    this.opsRate.reset();
    this.inputRate.reset();
    this.outputRate.reset();
  }
}
