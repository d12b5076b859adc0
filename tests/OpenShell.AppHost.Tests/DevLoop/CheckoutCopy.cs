using OpenShell.Testing;

namespace OpenShell.AppHost.Tests.DevLoop;

/// <summary>A throw-away clone of this repository (its committed state) for the AppHost to build, watch and edit.</summary>
internal sealed class CheckoutCopy : IDisposable
{
    private readonly TempDirectory _folder = new("openshell-checkout");

    private CheckoutCopy()
    {
    }

    public string Root => Path.Combine(_folder.Path, "openshell");

    public static async Task<CheckoutCopy> CreateAsync(CancellationToken ct)
    {
        var copy = new CheckoutCopy();
        (await TestProcess.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, copy.Root], ct: ct)).EnsureSuccess("git clone");
        (await TestProcess.RunAsync("git", ["-C", copy.Root, "config", "user.email", "tests@openshell.invalid"], ct: ct)).EnsureSuccess("git config");
        (await TestProcess.RunAsync("git", ["-C", copy.Root, "config", "user.name", "OpenShell tests"], ct: ct)).EnsureSuccess("git config");
        return copy;
    }

    public void Append(string relativePath, string line) => File.AppendAllText(Path.Combine(Root, relativePath), line + "\n");

    public void Dispose() => _folder.Dispose();
}
