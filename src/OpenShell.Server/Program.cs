using OpenShell.Server.Hosting;

return await GatewayProgram.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error);
