using OpenShell.Sandbox;

const string Usage = """
    usage: openshell-sandbox [--] COMMAND [ARGS...]

    Registers this sandbox with the OpenShell gateway, runs COMMAND as a child, forwards SIGTERM/SIGINT to it,
    sends heartbeats, reports its exit and exits with its code.

    environment:
      OPENSHELL_GATEWAY_ENDPOINT      gateway gRPC URL (https://host:8080; http:// when the gateway runs --disable-tls)
      OPENSHELL_SANDBOX_ID            the sandbox's name
      OPENSHELL_TLS_CERT              client certificate (PEM) for mutual TLS
      OPENSHELL_TLS_KEY               client certificate's private key (PEM)
      OPENSHELL_TLS_CA                CA certificate (PEM) that signed the gateway's certificate
      OPENSHELL_REGISTRATION_TIMEOUT  seconds to keep retrying registration (default 60)
      OTEL_EXPORTER_OTLP_ENDPOINT     when set, spans of the calls to the gateway are exported over OTLP
                                      (with the other standard OTEL_* variables: protocol, headers, service name)
    """;

if (args is ["--help"] or ["-h"])
{
    Console.Out.WriteLine(Usage);
    return 0;
}

if (args is ["--version"])
{
    Console.Out.WriteLine(SupervisorRunner.Version);
    return 0;
}

var command = args is ["--", .. var rest] ? rest : args;
try
{
    var settings = SupervisorSettings.Read(command, Environment.GetEnvironmentVariable);
    using var telemetry = SupervisorTelemetry.Start(Environment.GetEnvironmentVariable);
    return await new SupervisorRunner(settings, Console.Error).RunAsync();
}
catch (SupervisorUsageException ex)
{
    Console.Error.WriteLine($"openshell-sandbox: error: {ex.Message}");
    return 2;
}
