using Microsoft.Extensions.Configuration;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.DevLoop.Tests.Configuration;

public sealed class OpenShellSettingsTests
{
    private static OpenShellSettings From(params (string Key, string Value)[] values) =>
        OpenShellSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Defaults_are_public_images()
    {
        var settings = From();

        Assert.Equal("docker.io/library/registry:2", settings.Images.Registry);
        Assert.Equal("docker.io/rancher/k3s:v1.35.2-k3s1", settings.Images.K3s);
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", settings.Images.RuntimeDeps, StringComparison.Ordinal);
        Assert.Equal(5000, settings.Registry.HostPort);
        Assert.False(settings.IsOffline);
    }

    [Fact]
    public void Values_override_defaults()
    {
        var settings = From(("OpenShell:Images:Registry", "mirror/registry:2"), ("OpenShell:Registry:HostPort", "5050"), ("OpenShell:Profile", "Offline"));

        Assert.Equal("mirror/registry:2", settings.Images.Registry);
        Assert.Equal(5050, settings.Registry.HostPort);
        Assert.True(settings.IsOffline);
    }

    [Fact]
    public void Empty_image_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(("OpenShell:Images:K3s", " ")));

        Assert.Contains("OpenShell:Images:K3s", error.Message, StringComparison.Ordinal);
    }
}
