using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Net;

namespace OpenShell.Server.Tests.Hosting;

/// <summary>The plain health port: probes only.</summary>
public sealed class HealthPortTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string, HttpStatusCode> Paths => new()
    {
        { "/healthz", HttpStatusCode.OK },
        // Not ready: this gateway has no Kubernetes configuration.
        { "/readyz", HttpStatusCode.ServiceUnavailable },
        // The gateway's own endpoints are not served without TLS.
        { "/", HttpStatusCode.NotFound },
        { "/openshell.v1.Gateway/GetVersion", HttpStatusCode.NotFound },
    };

    [Fact]
    public void The_host_watches_no_folder_for_settings_files_and_its_content_root_is_the_app_folder()
    {
        // In the image the working directory is "/": a watched content root there walked (and inotify-watched) every
        // directory of the container before the gateway served.
        var environment = _gateway.Services.GetRequiredService<IHostEnvironment>();
        var configuration = (IConfigurationRoot)_gateway.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(environment.ContentRootPath));
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json and appsettings.{environment}.json, both optional
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched"));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Health_port_serves_only_the_probes(string path, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_gateway.HealthEndpoint, path));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_gateway_ports_root_names_the_gateway_and_its_version_as_text()
    {
        using var http = new HttpClient(_gateway.CreateHandler(_gateway.Client.Certificate));
        using var response = await http.GetAsync(_gateway.Endpoint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal($"openshell-server {OpenShell.Server.Hosting.GatewayProgram.Version}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Probe_mode_succeeds_against_a_live_gateway_and_fails_without_one()
    {
        using var stderr = new StringWriter();
        Assert.Equal(0, await OpenShell.Server.Hosting.HealthProbe.RunAsync(_gateway.Options.HealthPort, stderr));
        Assert.Equal(1, await OpenShell.Server.Hosting.HealthProbe.RunAsync(TestGateway.FreePort(), stderr));
        Assert.Contains("did not answer", stderr.ToString(), StringComparison.Ordinal);
    }
}
