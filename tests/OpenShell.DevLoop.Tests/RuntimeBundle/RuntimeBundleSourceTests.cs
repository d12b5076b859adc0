using OpenShell.DevLoop.RuntimeBundle;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.RuntimeBundle;

public sealed class RuntimeBundleSourceTests
{
    public static TheoryData<string, string[], string> Precedence => new()
    {
        { "amd64", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL"], "OPENSHELL_RUNTIME_BUNDLE_TARBALL" },
        { "x86_64", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL", "OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64"], "OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64" },
        { "arm64", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64", "OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64"], "OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64" },
        { "aarch64", ["OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64", "OPENSHELL_RUNTIME_BUNDLE_TARBALL"], "OPENSHELL_RUNTIME_BUNDLE_TARBALL" },
        { "amd64", ["OPENSHELL_RUNTIME_BUNDLE_URL", "OPENSHELL_RUNTIME_BUNDLE_TARBALL"], "OPENSHELL_RUNTIME_BUNDLE_TARBALL" },
        { "amd64", ["OPENSHELL_RUNTIME_BUNDLE_URL"], "OPENSHELL_RUNTIME_BUNDLE_URL" },
        { "arm64", ["OPENSHELL_RUNTIME_BUNDLE_URL", "OPENSHELL_RUNTIME_BUNDLE_URL_ARM64"], "OPENSHELL_RUNTIME_BUNDLE_URL_ARM64" },
        { "amd64", ["OPENSHELL_RUNTIME_BUNDLE_URL_ARM64", "OPENSHELL_RUNTIME_BUNDLE_URL_AMD64"], "OPENSHELL_RUNTIME_BUNDLE_URL_AMD64" },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void Resolves_the_most_specific_variable(string architecture, string[] set, string expected)
    {
        using var temp = new TempDirectory("bundle-source");
        var tarball = temp.Combine("bundle.tar.gz");
        File.WriteAllBytes(tarball, [1]);
        var environment = set.ToDictionary(v => v, v => v.Contains("_URL", StringComparison.Ordinal) ? $"https://example.test/{v}.tar.gz" : tarball);

        var source = RuntimeBundleSource.Resolve(architecture, environment.GetValueOrDefault);

        Assert.Equal(expected, source.Variable);
        Assert.Equal(BundleArchitecture.Normalize(architecture), source.Architecture);
        if (expected.Contains("_URL", StringComparison.Ordinal))
        {
            Assert.Equal(new Uri($"https://example.test/{expected}.tar.gz"), source.Url);
            Assert.Null(source.TarballPath);
        }
        else
        {
            Assert.Equal(tarball, source.TarballPath);
            Assert.Null(source.Url);
        }
    }

    [Theory]
    [InlineData("amd64", "OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64")]
    [InlineData("aarch64", "OPENSHELL_RUNTIME_BUNDLE_TARBALL_ARM64")]
    public void Nothing_configured_names_the_variables_to_set(string architecture, string variable)
    {
        var error = Assert.Throws<RuntimeBundleException>(() => RuntimeBundleSource.Resolve(architecture, _ => null));

        Assert.Equal(BundleRule.SourceNotConfigured, error.Rule);
        Assert.StartsWith("missing required variable: OPENSHELL_RUNTIME_BUNDLE_TARBALL", error.Message, StringComparison.Ordinal);
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tarball_variable_pointing_at_nothing_is_tarball_not_found_with_the_path_as_given()
    {
        var error = Assert.Throws<RuntimeBundleException>(() => RuntimeBundleSource.Resolve("amd64", v => v == "OPENSHELL_RUNTIME_BUNDLE_TARBALL_AMD64" ? "../nonexistent/bundle.tgz" : null));

        Assert.Equal(BundleRule.TarballNotFound, error.Rule);
        Assert.Equal("runtime bundle validation failed: tarball not found: ../nonexistent/bundle.tgz", error.Message);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.test/bundle.tgz")]
    public void A_bad_url_names_the_variable(string value)
    {
        var error = Assert.Throws<RuntimeBundleException>(() => RuntimeBundleSource.Resolve("arm64", v => v == "OPENSHELL_RUNTIME_BUNDLE_URL" ? value : null));

        Assert.Contains("OPENSHELL_RUNTIME_BUNDLE_URL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amd64", "amd64")]
    [InlineData("x86_64", "amd64")]
    [InlineData("AMD64", "amd64")]
    [InlineData("arm64", "arm64")]
    [InlineData("aarch64", "arm64")]
    public void Architecture_aliases_normalise(string name, string expected)
        => Assert.Equal(expected, BundleArchitecture.Normalize(name));

    [Theory]
    [InlineData("i386")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_architectures_are_refused(string? name)
        => Assert.Equal(BundleRule.UnknownArchitecture, Assert.Throws<RuntimeBundleException>(() => BundleArchitecture.Normalize(name)).Rule);
}
