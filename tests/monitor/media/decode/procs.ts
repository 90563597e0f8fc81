/** Test helper: what /proc says of a decoder's children (gone yet? their command line). */

/** Resolves once `pid` has exited (gone or a zombie); throws after ~2 s. */
export async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
      if (stat.split(") ")[1]?.startsWith("Z")) return;
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`child ${pid} is still running`);
}

/** True while `pid` runs (not gone, not a zombie). */
export function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !stat.split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}

/** The argument list of a running `pid`, from /proc (what `ps -eo args` shows). */
export async function argvOf(pid: number): Promise<string[]> {
  return (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
}
