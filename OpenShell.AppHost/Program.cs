using OpenShell.DevLoop.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
var settings = OpenShellSettings.From(builder.Configuration);

builder.AddOpenShellRegistry("registry", settings);

builder.Build().Run();
