using System.Reflection;
using CryptoEtl.StateMachine;

namespace CryptoEtl.Cli;

/// <summary>statemachine/crypto_etl.asl.json, embedded in the binary: the definition AWS runs too.</summary>
public static class EmbeddedStateMachine
{
    public static StateMachineDefinition Load() => StateMachineDefinition.Parse(Text());

    /// <summary>The file's text as written (what DescribeStateMachine returns).</summary>
    public static string Text()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("crypto_etl.asl.json")
            ?? throw new InvalidOperationException("the state machine definition is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
