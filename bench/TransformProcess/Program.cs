using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;

// transform-process STORE_FOLDER RAW_KEY: one Transform, its output JSON on stdout.
if (args is not [var folder, var rawKey])
{
    await Console.Error.WriteLineAsync("usage: transform-process STORE_FOLDER RAW_KEY");
    return 2;
}

var output = await new TransformStep(new FileSystemObjectStore(folder)).RunAsync(new TransformInput { RawKey = rawKey }, CancellationToken.None);
Console.WriteLine(JsonSerializer.Serialize(output, ContractsJsonContext.Default.TransformOutput));
return 0;
