using System.Text;
using System.Text.Json;
using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.DevLoop.Publishing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

public sealed class AppImageConfigTests
{
    private const string BaseConfig = """
        {"architecture":"amd64","created":"2026-01-02T03:04:05Z","os":"linux",
         "config":{"User":"10001:10001","Env":["PATH=/opt/openshell/server:/usr/bin","HOME=/tmp"],"Entrypoint":["openshell-server","--port","8080"],
                   "WorkingDir":"/","Labels":{"dev.openshell.repository":"127.0.0.1:5000/openshell/gateway"}},
         "rootfs":{"type":"layers","diff_ids":["sha256:aaaa","sha256:bbbb"]},
         "history":[{"created":"2026-01-01T00:00:00Z","created_by":"from"},{"created":"2026-01-02T03:04:05Z","created_by":"COPY runtime/ /opt/openshell/server/"}]}
        """;

    [Fact]
    public void Appends_the_layer_and_its_history_adds_the_labels_and_keeps_the_rest()
    {
        var config = AppImageConfig.Derive(Encoding.UTF8.GetBytes(BaseConfig), "sha256:cccc", "COPY app/ /opt/openshell/server/",
            new Dictionary<string, string> { [GatewayImageBuilder.FingerprintLabel] = "f1" });

        using var document = JsonDocument.Parse(config);
        var root = document.RootElement;
        Assert.Equal(["sha256:aaaa", "sha256:bbbb", "sha256:cccc"], root.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));
        var history = root.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(3, history.Count);
        Assert.Equal("COPY app/ /opt/openshell/server/", history[2].GetProperty("created_by").GetString());
        Assert.Equal("2026-01-02T03:04:05Z", history[2].GetProperty("created").GetString());
        var inner = root.GetProperty("config");
        Assert.Equal("10001:10001", inner.GetProperty("User").GetString());
        Assert.Equal(["openshell-server", "--port", "8080"], inner.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("PATH=/opt/openshell/server:/usr/bin", inner.GetProperty("Env")[0].GetString());
        Assert.Equal("2026-01-02T03:04:05Z", root.GetProperty("created").GetString());
        var labels = AppImageConfig.Labels(config);
        Assert.Equal("f1", labels[GatewayImageBuilder.FingerprintLabel]);
        Assert.Equal("127.0.0.1:5000/openshell/gateway", labels[GatewayImageBuilder.RepositoryLabel]);
    }

    [Fact]
    public void The_same_inputs_give_the_same_bytes_and_another_fingerprint_other_bytes()
    {
        byte[] Derive(string fingerprint) => AppImageConfig.Derive(Encoding.UTF8.GetBytes(BaseConfig), "sha256:cccc", "COPY app/ /srv/",
            new Dictionary<string, string> { [GatewayImageBuilder.FingerprintLabel] = fingerprint, [GatewayImageBuilder.ContentLabel] = "c" });

        Assert.Equal(Derive("f1"), Derive("f1"));
        Assert.NotEqual(Derive("f1"), Derive("f2"));
    }

    [Fact]
    public void A_base_configuration_without_layers_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => AppImageConfig.Derive("""{"config":{}}"""u8, "sha256:cccc", "COPY", new Dictionary<string, string>()));

    [Fact]
    public async Task A_changed_assembly_changes_only_the_app_layer_of_the_manifest()
    {
        using var publish = AppLayerWriterTests.Publish();
        var copy = AppCopyInstruction.Find("FROM base\nCOPY app/ /opt/openshell/server/\n")!;
        var config = Encoding.UTF8.GetBytes(BaseConfig);
        var baseManifest = DigestPusher.Manifest(RegistryClient.DigestOf(config), config.Length,
            [new DigestPusher.Blob("sha256:" + new string('1', 64), 10, null), new DigestPusher.Blob("sha256:" + new string('2', 64), 20, null)]);
        var baseImage = new AppBaseImage("base-1", new RegistryManifest(RegistryClient.DigestOf(baseManifest), ManifestMediaTypes.DockerManifest, baseManifest), config,
            [new DigestPusher.Blob("sha256:" + new string('1', 64), 10, null), new DigestPusher.Blob("sha256:" + new string('2', 64), 20, null)]);
        var reference = ImageReference.Parse("127.0.0.1:5000/openshell/gateway:dev");
        var labels = new Dictionary<string, string> { [GatewayImageBuilder.FingerprintLabel] = "f1" };

        var first = await AppImageAssembler.AssembleAsync(baseImage, publish.Path, copy, reference, labels);
        var again = await AppImageAssembler.AssembleAsync(baseImage, publish.Path, copy, reference, labels);
        await File.WriteAllTextAsync(publish.Combine("openshell-server.dll"), "server two");
        var changed = await AppImageAssembler.AssembleAsync(baseImage, publish.Path, copy, reference, labels);

        Assert.Equal(first.Digest, again.Digest);
        Assert.NotEqual(first.Digest, changed.Digest);
        var (firstLayers, changedLayers) = (Layers(first), Layers(changed));
        Assert.Equal(3, firstLayers.Count);
        Assert.Equal(firstLayers[..2], changedLayers[..2]);
        Assert.NotEqual(firstLayers[2], changedLayers[2]);
        Assert.Equal(changed.Layer.Digest, changedLayers[2]);
        Assert.NotEqual(AppImageConfig.Labels(first.Config.Span)[GatewayImageBuilder.ContentLabel], AppImageConfig.Labels(changed.Config.Span)[GatewayImageBuilder.ContentLabel]);
        using var manifest = JsonDocument.Parse(changed.Manifest);
        Assert.Equal(ManifestMediaTypes.DockerManifest, manifest.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(changed.ConfigDigest, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString());
    }

    private static List<string> Layers(AssembledImage image)
    {
        using var manifest = JsonDocument.Parse(image.Manifest);
        return [.. manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];
    }
}
