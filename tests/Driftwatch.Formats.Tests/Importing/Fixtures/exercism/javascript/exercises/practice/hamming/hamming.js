//
// This is only a SKELETON file for the 'Hamming' exercise. It's been provided as a
// convenience to get you started writing code faster.
//

export const compute = () => {
  throw new Error('Remove this line and implement the function');
};
