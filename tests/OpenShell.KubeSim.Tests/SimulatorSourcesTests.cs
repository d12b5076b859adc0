using OpenShell.DevLoop.Docker;
using OpenShell.Testing;

namespace OpenShell.KubeSim.Tests;

/// <summary>
/// The tests notice a simulator image older than its sources because they compute the fingerprint the image build labels
/// it with (eng/k3s-sim-fingerprint.sh): both must agree, and only the simulator's sources may change it.
/// </summary>
public sealed class SimulatorSourcesTests : IDisposable
{
    private readonly TempDirectory _tree = new("k3s-sim-sources");

    public SimulatorSourcesTests()
    {
        Write("tests/OpenShell.KubeSim/Api/Handler.cs", "class Handler {}");
        Write("tests/OpenShell.KubeSim/OpenShell.KubeSim.csproj", "<Project />");
        Write("tests/OpenShell.KubeSim/README.md", "# simulator");
        Write("tests/OpenShell.KubeSim/bin/Release/Generated.cs", "class Generated {}");
        Write("tests/OpenShell.KubeSim/obj/Release/Assembly.cs", "class Assembly {}");
        Write("eng/offline-images/k3s-sim/Dockerfile", "FROM scratch");
        Write("eng/offline-images/k3s-sim/crictl", "#!/bin/sh");
        Write("global.json", "{}");
        Write("Directory.Build.props", "<Project />");
        Write("Directory.Packages.props", "<Project />");
        Write("tests/Directory.Build.props", "<Project />");
    }

    [Fact]
    public async Task The_repository_s_fingerprint_is_the_one_the_image_build_computes() =>
        Assert.Equal(await ScriptFingerprintAsync(RepositoryPaths.Root), SimulatorSources.Fingerprint(RepositoryPaths.Root));

    // file, new content, whether the fingerprint changes
    [Theory]
    [InlineData("tests/OpenShell.KubeSim/Api/Handler.cs", "class Handler { int x; }", true)]
    [InlineData("tests/OpenShell.KubeSim/Api/Added.cs", "class Added {}", true)]
    [InlineData("tests/OpenShell.KubeSim/OpenShell.KubeSim.csproj", "<Project Sdk=\"x\" />", true)]
    [InlineData("eng/offline-images/k3s-sim/Dockerfile", "FROM debian", true)]
    [InlineData("Directory.Packages.props", "<Project><ItemGroup /></Project>", true)]
    [InlineData("tests/OpenShell.KubeSim/README.md", "# the simulator", false)]
    [InlineData("tests/OpenShell.KubeSim/bin/Release/Generated.cs", "class Generated { int y; }", false)]
    [InlineData("tests/OpenShell.KubeSim/obj/Release/Assembly.cs", "class Assembly { int z; }", false)]
    public async Task Only_the_simulator_s_sources_and_build_settings_change_it(string file, string content, bool changes)
    {
        var before = SimulatorSources.Fingerprint(_tree.Path);
        Write(file, content);
        var after = SimulatorSources.Fingerprint(_tree.Path);

        Assert.Equal(changes, before != after);
        Assert.Equal(await ScriptFingerprintAsync(_tree.Path), after);
    }

    [RequiresDocker]
    public async Task The_simulator_image_carries_the_fingerprint_of_these_sources()
    {
        using var docker = DockerEngine.CreateClient();
        await OfflineImages.EnsureAsync(docker);

        var image = await docker.Images.InspectImageAsync(OfflineImages.K3s);

        Assert.Equal(SimulatorSources.Fingerprint(RepositoryPaths.Root), image.Config.Labels[OfflineImages.FingerprintLabel]);
    }

    public void Dispose() => _tree.Dispose();

    private void Write(string relativePath, string content)
    {
        var path = _tree.Combine(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static async Task<string> ScriptFingerprintAsync(string root) =>
        (await TestProcess.RunAsync("bash", [Path.Combine(RepositoryPaths.Root, "eng", "k3s-sim-fingerprint.sh"), root])).EnsureSuccess("eng/k3s-sim-fingerprint.sh").Stdout.Trim();
}
