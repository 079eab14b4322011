using CryptoEtl.Cli;

return await CryptoEtlApp.RunAsync(args, CliConsole.Standard());
