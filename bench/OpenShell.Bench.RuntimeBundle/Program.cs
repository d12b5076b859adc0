using System.Diagnostics;
using System.Globalization;
using OpenShell.Bench.RuntimeBundle;
using OpenShell.DevLoop.RuntimeBundle;

// Compares `bundle stage` (one streaming pass: inflate, hash, write, verify, swap) with the shell way
// (`tar -xzf` into a folder, then `sha256sum` over every file) on the same generated bundle, in the same run.
// Our side runs in a child process so its peak resident memory (VmHWM) is its own.
if (args is ["--stage", var childTarball, var childDestination])
{
    var watch = Stopwatch.StartNew();
    var staged = await RuntimeBundleStager.StageAsync(childTarball, BundleArchitecture.Amd64, childDestination);
    watch.Stop();
    Console.WriteLine(FormattableString.Invariant($"elapsed_ms={watch.ElapsedMilliseconds} vmhwm_kb={PeakResidentKiB()} files={staged.Manifest.Files.Count}"));
    return 0;
}

var sizeMiB = ReadOption("--size-mib", 1024);
var rounds = ReadOption("--rounds", 3);
var work = args.SkipWhile(a => a != "--work").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "openshell-bundle-bench");
Directory.CreateDirectory(work);
var root = Path.Combine(work, "install-root");
var tarball = Path.Combine(work, $"bundle-{sizeMiB}MiB.tar.gz");

if (!File.Exists(tarball))
{
    Console.WriteLine($"generating a {sizeMiB} MiB install root in {root} ...");
    InstallRootGenerator.Generate(root, sizeMiB * 1024L * 1024L);
    var packWatch = Stopwatch.StartNew();
    var packed = await RuntimeBundlePacker.PackAsync(root, BundleArchitecture.Amd64, tarball, "bench-toolkit", "1.0.0");
    Console.WriteLine(FormattableString.Invariant($"packed {packed.Manifest.Files.Count} files, {packed.Manifest.PayloadBytes / 1048576.0:0} MiB payload into {new FileInfo(tarball).Length / 1048576.0:0} MiB in {packWatch.Elapsed.TotalSeconds:0.0} s"));
    Directory.Delete(root, recursive: true);
}

Console.WriteLine(FormattableString.Invariant($"tarball: {tarball} ({new FileInfo(tarball).Length / 1048576.0:0} MiB), {Environment.ProcessorCount} cores, {rounds} rounds"));
var shellTimes = new List<double>();
var ourTimes = new List<double>();
var ourPeaks = new List<long>();
var shellPeaks = new List<long>();
for (var round = 1; round <= rounds; round++)
{
    var shellDir = Path.Combine(work, "shell-out");
    ResetDirectory(shellDir);
    var script = $"tar -xzf '{tarball}' -C '{shellDir}' && find '{shellDir}' -type f -print0 | xargs -0 sha256sum > /dev/null";
    var (shellSeconds, shellOutput) = await TimeAsync("/usr/bin/time", ["-f", "maxrss_kb=%M", "bash", "-c", script]);
    var shellPeak = ParseValue(shellOutput, "maxrss_kb");
    shellTimes.Add(shellSeconds);
    shellPeaks.Add(shellPeak);
    Directory.Delete(shellDir, recursive: true);

    var ourDir = Path.Combine(work, "ours-out");
    ResetDirectory(ourDir);
    var (ourSeconds, ourOutput) = await TimeAsync(Environment.ProcessPath!, ["--stage", tarball, ourDir]);
    var peak = ParseValue(ourOutput, "vmhwm_kb");
    ourTimes.Add(ourSeconds);
    ourPeaks.Add(peak);
    Directory.Delete(ourDir, recursive: true);
    Console.WriteLine(FormattableString.Invariant($"round {round}: shell {shellSeconds:0.00} s (largest process {shellPeak / 1024.0:0.0} MiB) | ours {ourSeconds:0.00} s (in-process {ParseValue(ourOutput, "elapsed_ms") / 1000.0:0.00} s, peak RSS {peak / 1024.0:0.0} MiB)"));
}

var shellMedian = Median(shellTimes);
var ourMedian = Median(ourTimes);
Console.WriteLine();
Console.WriteLine(FormattableString.Invariant($"shell (tar -xzf + sha256sum): median {shellMedian:0.00} s"));
Console.WriteLine(FormattableString.Invariant($"ours  (verify + stage):       median {ourMedian:0.00} s, process start included"));
Console.WriteLine(FormattableString.Invariant($"ratio ours/shell:             {ourMedian / shellMedian:0.00} (target <= 1.00)"));
Console.WriteLine(FormattableString.Invariant($"our peak RSS (VmHWM):         max {ourPeaks.Max() / 1024.0:0.0} MiB (target < 100 MiB)"));
return 0;

static int ReadOption(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static void ResetDirectory(string path)
{
    if (Directory.Exists(path))
    {
        Directory.Delete(path, recursive: true);
    }

    Directory.CreateDirectory(path);
}

static async Task<(double Seconds, string Output)> TimeAsync(string file, string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    watch.Stop();
    var output = await stdout + await stderr;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {output}");
    }

    return (watch.Elapsed.TotalSeconds, output);
}

static long ParseValue(string output, string key)
{
    var marker = key + "=";
    var start = output.LastIndexOf(marker, StringComparison.Ordinal);
    if (start < 0)
    {
        throw new InvalidOperationException($"no {key} in: {output}");
    }

    var digits = new string(output[(start + marker.Length)..].TakeWhile(char.IsAsciiDigit).ToArray());
    return long.Parse(digits, CultureInfo.InvariantCulture);
}

static long PeakResidentKiB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }

    return -1;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
