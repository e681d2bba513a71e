/** Reads a V8 `.cpuprofile` and ranks functions by self time. @module */

/** One node of a V8 CPU profile. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

/** A V8 CPU profile, as `deno run --cpu-prof` writes it. */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of a profile. */
export interface SelfTime {
  /** `name file:line`, the file shortened to what follows the repository root. */
  readonly where: string;
  readonly ms: number;
  /** Of the busy time: every sample but `(idle)`. */
  readonly percent: number;
}

/** A profile's busy time and its functions by self time, highest first. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly functions: readonly SelfTime[];
}

function label(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === "" ? "(anonymous)" : functionName;
  if (url === "") return name;
  const file = url.replace(`file://${root}`, "").replace(/^.*\/node_modules\/|^npm:/, "npm:")
    .replace(/^https?:\/\/registry\.npmjs\.org\//, "npm:");
  return `${name} ${file}:${lineNumber + 1}`;
}

/** Sums each function's self time in the profile at `path`. */
export async function summarize(path: string, root: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await Deno.readTextFile(path)) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    totalUs += us;
    if (node.callFrame.functionName === "(idle)") {
      idleUs += us;
      return;
    }
    const key = label(node, root);
    totals.set(key, (totals.get(key) ?? 0) + us);
  });
  const busyUs = totalUs - idleUs;
  const functions = [...totals.entries()]
    .map(([where, us]) => ({ where, ms: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 }))
    .sort((x, y) => y.ms - x.ms);
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions };
}
