using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenShell.Server.Configuration;
using OpenShell.Server.Kubernetes;
using OpenShell.Server.Sandboxes;
using OpenShell.Server.Security;
using OpenShell.Server.Services;

namespace OpenShell.Server.Hosting;

/// <summary>Builds the gateway's web application from validated options; shared by the program and the tests.</summary>
internal static class GatewayApplication
{
    /// <summary>The host's own switch: settings files are read once, never watched.</summary>
    internal const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    private static readonly string[] s_healthPaths = ["/healthz", "/readyz"];

    /// <summary>
    /// Loads certificates and the Kubernetes configuration (throwing <see cref="GatewayConfigurationException"/>
    /// on bad input) and wires Kestrel, gRPC and the health endpoints.
    /// </summary>
    internal static WebApplication Build(GatewayOptions options, Action<IServiceCollection>? configureServices = null)
    {
        GatewayCommandLine.Validate(options);
        var certificates = GatewayCertificates.Load(options);
        var kubernetes = KubernetesConnection.Create(options);

        // Flags were parsed already: the host must not read them again as configuration. The gateway has no settings files
        // to reload, and watching for them watches the whole content root, which is the working directory: "/" in the
        // image. That walk put 0.4-0.5 s on every start of the gateway's pod (and an inotify watch on every directory).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [NoConfigReload],
            ApplicationName = "openshell-server",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.ListenAddress, options.Port, listen =>
            {
                if (options.DisableTls)
                {
                    // Without TLS there is no ALPN to pick HTTP/2, so the port speaks HTTP/2 with prior knowledge (h2c) for gRPC.
                    listen.Protocols = HttpProtocols.Http2;
                    return;
                }

                listen.Protocols = HttpProtocols.Http1AndHttp2;
                var https = new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificates.ServerCertificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = options.RequiresClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
                };
                if (options.RequiresClientCertificate)
                {
                    https.ClientCertificateValidation = new ClientCertificateValidator(certificates.ClientRoots).Validate;
                }

                listen.UseHttps(https);
            });
            kestrel.Listen(options.ListenAddress, options.HealthPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.AddServiceDefaults();

        // One line per request drowns the gateway's own messages; OpenTelemetry still traces requests.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(kubernetes);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SupervisorRegistry>();
        builder.Services.AddSingleton<KubernetesReadinessCheck>();
        builder.Services.AddHealthChecks().AddCheck<KubernetesReadinessCheck>("kubernetes", tags: [Extensions.ReadyTag]);
        builder.Services.AddGrpc(grpc => grpc.EnableDetailedErrors = false);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(kubernetes.Warm);

        // The health port serves the probes and nothing else; the gateway port needs its certificate.
        app.Use((context, next) =>
        {
            if (context.Connection.LocalPort == options.HealthPort && !s_healthPaths.Contains(context.Request.Path.Value, StringComparer.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapDefaultEndpoints();
        app.MapGrpcService<GatewayGrpcService>();
        app.MapGrpcService<SandboxesGrpcService>();
        app.MapGrpcService<SupervisorGrpcService>();
        // A plain request delegate: a minimal-API handler builds its binding machinery on the first start, about 80 methods.
        app.MapGet("/", context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync($"openshell-server {GatewayProgram.Version}\n");
        });
        return app;
    }
}
