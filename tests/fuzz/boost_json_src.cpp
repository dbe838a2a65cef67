// Boost.JSON's implementation, compiled with the fuzz targets' instrumentation
// (see CMakeLists.txt) instead of linked from the uninstrumented system library.
#include <boost/json/src.hpp>
