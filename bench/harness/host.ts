/** Facts about the machine the benchmark runs on. @module */

/** What the orchestrator learned about the host. */
export interface HostInfo {
  readonly os: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly deno: string;
  readonly v8: string;
  /** Whether `taskset` ran. */
  readonly taskset: boolean;
  /** The soft and hard open-file limits of a child shell. */
  readonly nofileSoft: number;
  readonly nofileHard: number;
}

async function output(program: string, args: readonly string[]): Promise<string | null> {
  try {
    const result = await new Deno.Command(program, {
      args: [...args],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return result.success ? new TextDecoder().decode(result.stdout).trim() : null;
  } catch {
    return null;
  }
}

/**
 * Reads a file under /proc. Deno asks for --allow-all to read /proc itself,
 * so `cat` reads it (the orchestrator may run programs anyway).
 */
function readProc(path: string): Promise<string | null> {
  return output("cat", [path]);
}

async function cpuModel(): Promise<string> {
  const text = await readProc("/proc/cpuinfo") ?? "";
  return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? "unknown";
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  return text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text);
}

/** Looks at the host. */
export async function probeHost(): Promise<HostInfo> {
  const limits = (await output("sh", ["-c", "ulimit -Sn; ulimit -Hn"]))?.split("\n") ?? [];
  return {
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    cpuModel: await cpuModel(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    taskset: (await output("taskset", ["-c", "0", "true"])) !== null,
    nofileSoft: parseLimit(limits[0]),
    nofileHard: parseLimit(limits[1]),
  };
}

/** A process's resident set size in KiB, from /proc; null where unknown. */
export async function readRssKib(pid: number): Promise<number | null> {
  const status = await readProc(`/proc/${pid}/status`) ?? "";
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU time so far, user plus system, in ms; null where unknown. */
export async function readCpuMs(pid: number): Promise<number | null> {
  const stat = await readProc(`/proc/${pid}/stat`);
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
  const user = Number(fields?.[11]);
  const system = Number(fields?.[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
  return ((user + system) * 1000) / USER_HZ;
}

/** The 1-minute load average, to tell a run on a busy machine; null where unknown. */
export async function readLoadAverage(): Promise<number | null> {
  const text = await readProc("/proc/loadavg");
  const value = Number(text?.split(" ")[0]);
  return text === null || !Number.isFinite(value) ? null : value;
}
