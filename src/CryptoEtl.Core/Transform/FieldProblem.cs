namespace CryptoEtl.Core.Transform;

/// <summary>What is wrong with one field's bytes, if anything.</summary>
internal enum FieldProblem : byte
{
    None,
    TooLong,
    InvalidEncoding,
    ControlCharacter,
}
