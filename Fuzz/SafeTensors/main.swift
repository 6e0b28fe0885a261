import FuzzSupport
import NeuralNetworks

// Opens the input as a safetensors file and converts every tensor it declares: the header
// checks must reject anything whose conversion would read outside the file.
runFuzzer { data, size in
    let path = ScratchFile.write(data, size, as: "model.safetensors").path
    do {
        let file = try SafeTensorsFile(path: path)
        _ = try file.allTensors()
    } catch is SafeTensorsError {
        // A rejected file is the expected outcome for most inputs.
    } catch {
        fatalError("SafeTensorsFile threw something other than SafeTensorsError: \(error)")
    }
    return 0
}
