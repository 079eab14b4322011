using System.Reflection;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Cli;

/// <summary>statemachine/crypto_etl.asl.json, embedded in the binary: the definition AWS runs too.</summary>
public static class EmbeddedStateMachine
{
    public static StateMachineDefinition Load() => StateMachineDefinition.Parse(Text());

    /// <summary>The file's text as written (what DescribeStateMachine returns).</summary>
    public static string Text() => Text("crypto_etl");

    /// <summary>statemachine/NAME.asl.json as written (crypto_etl, crypto_backfill).</summary>
    public static string Text(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"{name}.asl.json")
            ?? throw new InvalidOperationException("the state machine definition is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
