using System.Buffers;
using System.Text.Json;
using CryptoEtl.Core;
using CryptoEtl.Core.Steps;

// transform-process STORE_FOLDER RAW_KEY: one Transform, its output JSON on stdout.
// transform-process floor FILE [CSV_OUT]: the floor under the same AOT settings: one bare
//   Utf8JsonReader pass over FILE (streamed through a 256 KB buffer, as Transform reads it), and
//   with CSV_OUT also writing every coin's scalar values, bytes unchanged, as comma-separated
//   lines to CSV_OUT. No validation, no metrics, no quoting: nothing Transform could skip.
switch (args)
{
    case ["floor", var file]:
        Console.WriteLine(await Floor.RunAsync(file, null));
        return 0;
    case ["floor", var file, var csv]:
        Console.WriteLine(await Floor.RunAsync(file, csv));
        return 0;
    case [var folder, var rawKey]:
        var output = await new TransformStep(new FileSystemObjectStore(folder)).RunAsync(new TransformInput { RawKey = rawKey }, CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(output, ContractsJsonContext.Default.TransformOutput));
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: transform-process STORE_FOLDER RAW_KEY | transform-process floor FILE [CSV_OUT]");
        return 2;
}

internal static class Floor
{
    public static async Task<string> RunAsync(string path, string? csvPath)
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var output = csvPath is null ? null : new FileStream(csvPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 18);
        var csv = new ArrayBufferWriter<byte>(1 << 18);
        var state = default(JsonReaderState);
        var start = 0;
        var end = 0;
        long tokens = 0;
        long rows = 0;
        var lineStarted = false;
        while (true)
        {
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            var read = await input.ReadAtLeastAsync(buffer.AsMemory(end), buffer.Length - end, throwOnEndOfStream: false);
            end += read;
            var final = end < buffer.Length;
            var consumed = Tokenize(buffer.AsSpan(0, end), final, ref state, output is null ? null : csv, ref tokens, ref rows, ref lineStarted);
            start = consumed;
            if (output is not null)
            {
                await output.WriteAsync(csv.WrittenMemory);
                csv.ResetWrittenCount();
            }

            if (final)
            {
                break;
            }
        }

        ArrayPool<byte>.Shared.Return(buffer);
        return $"{{\"tokens\":{tokens},\"rows\":{rows}}}";
    }

    private static int Tokenize(ReadOnlySpan<byte> json, bool final, ref JsonReaderState state, ArrayBufferWriter<byte>? csv, ref long tokens, ref long rows, ref bool lineStarted)
    {
        var reader = new Utf8JsonReader(json, final, state);
        while (reader.Read())
        {
            tokens++;
            if (csv is null)
            {
                continue;
            }

            // Coins are the objects at depth 3 (root > pages > page > coin); write their scalars.
            switch (reader.TokenType)
            {
                case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null or JsonTokenType.True or JsonTokenType.False when reader.CurrentDepth >= 4:
                    if (lineStarted)
                    {
                        csv.Write(","u8);
                    }

                    csv.Write(reader.ValueSpan);
                    lineStarted = true;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 3:
                    csv.Write("\r\n"u8);
                    lineStarted = false;
                    rows++;
                    break;
            }
        }

        state = reader.CurrentState;
        return checked((int)reader.BytesConsumed);
    }
}
