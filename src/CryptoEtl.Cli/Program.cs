Console.WriteLine("cryptoetl: not written yet");
