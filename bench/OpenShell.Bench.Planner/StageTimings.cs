using System.Diagnostics;
using OpenShell.DevLoop.ChangeDetection;
using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;

namespace OpenShell.Bench.Planner;

/// <summary>Times the stages of a plan separately, to show where the time goes.</summary>
internal static class StageTimings
{
    public static async Task<List<(string Stage, List<double> Samples)>> MeasureAsync(string root, int iterations)
    {
        var repository = GitRepository.Discover(root);
        var catalog = ComponentCatalog.Load(root);
        var matcher = new ComponentMatcher(catalog);
        var git = new GitCli();
        var untracked = await git.ListUntrackedAsync(repository);
        var staged = await git.ListStagedAsync(repository);
        var scanner = new WorkingTreeScanner(new FixedGit(untracked, staged));
        var stages = new List<(string, Func<Task>)>
        {
            ("read .git/index", () => { GitIndex.Read(repository); return Task.CompletedTask; }),
            ("classify paths (first time, new matcher)", () => { new ComponentMatcher(catalog).Classify(GitIndex.Read(repository).Entries.Select(e => e.Path)); return Task.CompletedTask; }),
            ("scan working tree (no git processes)", () => scanner.ScanAsync(repository, matcher)),
            ("git ls-files --others --exclude-standard", () => git.ListUntrackedAsync(repository)),
            ("git diff-index --cached HEAD", () => git.ListStagedAsync(repository)),
        };

        var results = new List<(string, List<double>)>();
        foreach (var (name, action) in stages)
        {
            var samples = new List<double>();
            for (var i = 0; i < iterations + 2; i++)
            {
                var watch = Stopwatch.StartNew();
                await action();
                if (i >= 2)
                {
                    samples.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            results.Add((name, samples));
        }

        return results;
    }

    private sealed class FixedGit(IReadOnlyList<string> untracked, IReadOnlyList<StagedChange>? staged) : IGitCli
    {
        public Task<IReadOnlyList<string>> ListUntrackedAsync(GitRepository repository, CancellationToken ct = default) => Task.FromResult(untracked);

        public Task<IReadOnlyList<StagedChange>?> ListStagedAsync(GitRepository repository, CancellationToken ct = default) => Task.FromResult(staged);
    }
}
