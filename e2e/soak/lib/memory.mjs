// RSS per app instance: the level after warm-up, at the end of the load, growth and slope.

const MB = 1024;

function slopeMbPerMin(samples) {
  if (samples.length < 3) return 0;
  const t0 = samples[0].at;
  const xs = samples.map((s) => (s.at - t0) / 60_000);
  const ys = samples.map((s) => s.kb / MB);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * A leak: after warm-up the RSS grew by more than `maxGrowthMb` and more than `maxGrowthRatio` of its
 * warm level by the end of the load.
 */
export function analyseMemory(apps, loadStart, loadEnd, warmupMs, limits = {}) {
  const maxGrowthMb = limits.maxGrowthMb ?? 48;
  const maxGrowthRatio = limits.maxGrowthRatio ?? 0.5;
  const rows = [];
  for (const app of apps) {
    app.instances.forEach((instance, i) => {
      const from = Math.max(loadStart, instance.startedAt) + warmupMs;
      const window = instance.samples.filter((s) => s.at >= from && s.at <= loadEnd);
      const all = instance.samples.filter((s) => s.at <= loadEnd);
      const peakKb = Math.max(0, ...all.map((s) => s.kb));
      if (window.length < 2) {
        rows.push({ name: `${app.name}#${i + 1}`, pid: instance.pid, judged: false, peakMb: peakKb / MB });
        return;
      }
      const warm = window[0].kb / MB;
      const end = window.at(-1).kb / MB;
      const growth = end - warm;
      rows.push({
        name: `${app.name}#${i + 1}`,
        pid: instance.pid,
        judged: true,
        warmMb: warm,
        endMb: end,
        peakMb: peakKb / MB,
        growthMb: growth,
        slopeMbPerMin: slopeMbPerMin(window),
        windowS: (window.at(-1).at - window[0].at) / 1000,
        leak: growth > maxGrowthMb && growth > warm * maxGrowthRatio,
      });
    });
  }
  return rows;
}
