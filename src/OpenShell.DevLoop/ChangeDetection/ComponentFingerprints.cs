using OpenShell.DevLoop.Components;
using OpenShell.DevLoop.Git;

namespace OpenShell.DevLoop.ChangeDetection;

/// <summary>
/// The components' fingerprints of a working tree as the planner computes them (SHA-256 over each component's input
/// paths and blob ids): content only, so committing or switching branches away and back keeps them.
/// </summary>
public static class ComponentFingerprints
{
    /// <summary>The fingerprint of every component of <c>deploy/dev/components.json</c>, by component; empty for one without input files.</summary>
    /// <exception cref="ComponentCatalogException">The catalogue is missing or malformed.</exception>
    /// <exception cref="GitException">The repository cannot be read.</exception>
    public static async Task<IReadOnlyDictionary<ComponentDefinition, string>> ComputeAsync(string repositoryRoot, CancellationToken ct = default)
    {
        var repository = GitRepository.Discover(repositoryRoot);
        var catalog = ComponentCatalog.Load(repository.Root);
        var matcher = new ComponentMatcher(catalog);
        var snapshot = await new WorkingTreeScanner(new GitCli()).ScanAsync(repository, matcher, ct).ConfigureAwait(false);
        var masks = snapshot.FileMasks;
        var result = new Dictionary<ComponentDefinition, string>();
        for (var bit = 0; bit < catalog.Components.Count; bit++)
        {
            result[catalog.Components[bit]] = ComponentFingerprint.Compute(snapshot.Files, masks, bit);
        }

        return result;
    }
}
